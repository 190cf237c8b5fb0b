// cli: whole numbers on the command line are written as JSON writes an
// integer, with no leading zero, in every command (mdsd tree's rule, whose
// messages tree_json_test.cpp checks): mdsd batch's options and mdsd
// synthetic's and synthetic-dataset's arguments. Their real numbers (the
// temperatures) are read by the strict JSON-number reader, as mdsd tree's.
// The messages are written here by hand; accepted values are checked in the
// output (the drafts and temperatures a summary reports, the pair a seed
// gives by core/synthetic.hpp).
#include "support.hpp"

#include "cli/commands.hpp"
#include "cli/whole_number_argument.hpp"
#include "core/synthetic.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

namespace mdsd::test {
namespace {

using cli::leading_zero;
using cli::whole_number;

// Two positions of two tokens, one JSON object a line; logits for a
// temperature sweep.
constexpr const char* kData =
    "{\"target\": [0.6, 0.4], \"draft\": [0.5, 0.5]}\n"
    "{\"target\": [0.2, 0.8], \"draft\": [0.5, 0.5]}\n";
constexpr const char* kLogits = "{\"target\": {\"logits\": [1, 0]}, \"draft\": {\"logits\": [0, 0]}}\n";

struct WholeNumberScratch : ScratchFolder {
  WholeNumberScratch() : ScratchFolder("mdsd_cli_whole_number_argument_test") {
    write("data.jsonl", kData);
    write("logits.jsonl", kLogits);
  }
  // `mdsd <arguments>` fails with exit status 2 and exactly `message`.
  void expect_error(const std::string& arguments, const std::string& message) const {
    const auto run = run_mdsd(arguments);
    CAPTURE(arguments);
    CHECK(run.status == 2);
    CHECK(run.err == "mdsd: " + message + "\n");
    CHECK(run.out.empty());
  }
  // The JSON `mdsd <arguments>` prints, which must succeed.
  nlohmann::json output(const std::string& arguments) const {
    const auto run = run_mdsd(arguments);
    CAPTURE(arguments);
    CAPTURE(run.err);
    REQUIRE(run.status == 0);
    REQUIRE(run.err.empty());
    return nlohmann::json::parse(run.out);
  }
};

// The drafts of each setting a batch summary reports (one, or a sweep).
std::vector<int> summary_drafts(const nlohmann::json& summary) {
  if (!summary.contains("sweep")) return {summary.at("drafts").get<int>()};
  std::vector<int> drafts;
  for (const auto& setting : summary.at("sweep")) drafts.push_back(setting.at("drafts").get<int>());
  return drafts;
}

TEST_CASE("whole-number argument: leading_zero gives the message for digits after a 0, nothing for a lone zero or what is not digits") {
  CHECK(leading_zero("01") == "\"01\" has a leading zero (write 1)");
  CHECK(leading_zero("007") == "\"007\" has a leading zero (write 7)");
  CHECK(leading_zero("0100") == "\"0100\" has a leading zero (write 100)");
  CHECK(leading_zero("00") == "\"00\" has a leading zero (write 0)");
  CHECK(leading_zero("000") == "\"000\" has a leading zero (write 0)");
  CHECK(leading_zero("-01") == "\"-01\" has a leading zero (write -1)");
  CHECK(leading_zero("-00") == "\"-00\" has a leading zero (write -0)");
  // A lone zero, and numbers without a leading zero.
  for (const char* fine : {"0", "-0", "1", "10", "100", "-10", "9007199254740992"}) {
    CAPTURE(fine);
    CHECK(!leading_zero(fine));
  }
  // Not digits: whole_number refuses them, and the command words the range.
  for (const char* other : {"", "-", "+01", "+1", "0x1", "01a", "01.5", " 01", "01 ", "0-1"}) {
    CAPTURE(other);
    CHECK(!leading_zero(other));
    CHECK(!whole_number(other, -100, 100));
  }
}

TEST_CASE("whole-number argument: whole_number reads digits and an optional minus sign, within the range") {
  CHECK(whole_number("0", 0, 10) == 0);
  CHECK(whole_number("10", 0, 10) == 10);
  CHECK(whole_number("-3", -5, 5) == -3);
  CHECK(!whole_number("11", 0, 10));
  CHECK(!whole_number("-1", 0, 10));
  CHECK(!whole_number("+1", 0, 10));
  CHECK(!whole_number("99999999999999999999", 0, 10));  // beyond int64: no wrap-around
}

TEST_CASE("mdsd batch: --threads, --seed, --vocab and --drafts refuse a leading zero, naming the option and the value") {
  const WholeNumberScratch scratch;
  scratch.expect_error("batch --drafts 2 --threads 01 data.jsonl", "--threads: \"01\" has a leading zero (write 1)");
  scratch.expect_error("batch --drafts 2 --threads 00 data.jsonl", "--threads: \"00\" has a leading zero (write 0)");
  scratch.expect_error("batch --drafts 2 --threads 010 data.jsonl", "--threads: \"010\" has a leading zero (write 10)");
  scratch.expect_error("batch --drafts 2 --threads -01 data.jsonl", "--threads: \"-01\" has a leading zero (write -1)");
  scratch.expect_error("batch --drafts 2 --seed 007 data.jsonl", "--seed: \"007\" has a leading zero (write 7)");
  scratch.expect_error("batch --drafts 2 --seed 00 data.jsonl", "--seed: \"00\" has a leading zero (write 0)");
  scratch.expect_error("batch --drafts 2 --vocab 0100 data.jsonl", "--vocab: \"0100\" has a leading zero (write 100)");
  scratch.expect_error("batch --drafts 01 data.jsonl", "--drafts: \"01\" has a leading zero (write 1)");
  scratch.expect_error("batch --drafts 00 data.jsonl", "--drafts: \"00\" has a leading zero (write 0)");
  scratch.expect_error("batch --drafts 01,2 data.jsonl", "--drafts: \"01\" has a leading zero (write 1)");
  scratch.expect_error("batch --drafts 1,02 data.jsonl", "--drafts: \"02\" has a leading zero (write 2)");
  scratch.expect_error("batch --drafts 01-3 data.jsonl", "--drafts: \"01\" has a leading zero (write 1)");
  scratch.expect_error("batch --drafts 1-03 data.jsonl", "--drafts: \"03\" has a leading zero (write 3)");
  scratch.expect_error("batch --drafts 1,2-010 data.jsonl", "--drafts: \"010\" has a leading zero (write 10)");

  // A sign is not part of how a whole number is written (as in mdsd tree): the range message.
  scratch.expect_error("batch --drafts 2 --threads +1 data.jsonl", "--threads: give an integer from 1 to 256, got \"+1\"");
  scratch.expect_error("batch --drafts 2 --seed +1 data.jsonl", "--seed: give an integer from 0 to 9007199254740992, got \"+1\"");
  scratch.expect_error("batch --drafts 2 --vocab +10 data.jsonl",
                       "--vocab: give the vocabulary size, an integer from 1 to 4194304, got \"+10\"");
  scratch.expect_error("batch --drafts +1 data.jsonl", "--drafts: give N, a list N,M,... or a range A-B, each from 1 to 64");
  scratch.expect_error("batch --drafts +01 data.jsonl", "--drafts: give N, a list N,M,... or a range A-B, each from 1 to 64");

  // A lone 0 is written right; whether it is allowed is the option's range.
  scratch.expect_error("batch --drafts 2 --threads 0 data.jsonl", "--threads: give an integer from 1 to 256, got \"0\"");
  scratch.expect_error("batch --drafts 2 --vocab 0 data.jsonl",
                       "--vocab: give the vocabulary size, an integer from 1 to 4194304, got \"0\"");
  scratch.expect_error("batch --drafts 0 data.jsonl", "--drafts: give N, a list N,M,... or a range A-B, each from 1 to 64");
  scratch.expect_error("batch --drafts 0-2 data.jsonl", "--drafts: give N, a list N,M,... or a range A-B, each from 1 to 64");
  CHECK(scratch.output("batch --drafts 2 --seed 0 data.jsonl").at("positions") == 2);
  CHECK(scratch.output("batch --drafts 2 --seed 10 data.jsonl").at("positions") == 2);
  CHECK(scratch.output("batch --drafts 2 --seed 9007199254740992 data.jsonl").at("positions") == 2);

  // Numbers without a leading zero are read as written.
  CHECK(summary_drafts(scratch.output("batch --drafts 1 --verifiers '' data.jsonl")) == std::vector<int>{1});
  CHECK(summary_drafts(scratch.output("batch --drafts 10 --verifiers '' data.jsonl")) == std::vector<int>{10});
  CHECK(summary_drafts(scratch.output("batch --drafts 1,10 --verifiers '' data.jsonl")) == std::vector<int>{1, 10});
  CHECK(summary_drafts(scratch.output("batch --drafts 1-10 --verifiers '' data.jsonl")) ==
        std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  // The threads split the positions, never the result.
  const auto one_thread = scratch.output("batch --drafts 2 --threads 1 data.jsonl");
  CHECK(scratch.output("batch --drafts 2 --threads 10 data.jsonl") == one_thread);
  // --vocab 1 and 10 are read, then refused for JSON Lines (which give the vocabulary).
  for (const char* vocab : {"1", "10"}) {
    scratch.expect_error(std::string("batch --drafts 2 --vocab ") + vocab + " data.jsonl",
                         "--vocab: applies to engine responses (the other formats give the vocabulary)");
  }
}

TEST_CASE("mdsd batch --temperature is read as JSON writes a number") {
  const WholeNumberScratch scratch;
  for (const char* bad : {"01.5", "00.5", "0x1p-1", "+1", " 1", "1 ", "1.", ".5", "inf", "nan", "1e999", "0", "-1"}) {
    scratch.expect_error(std::string("batch --drafts 2 --temperature '") + bad + "' data.jsonl",
                         std::string("--temperature: \"") + bad + "\" is not a number > 0");
  }
  scratch.expect_error("batch --drafts 2 --temperature 1,01 data.jsonl", "--temperature: \"01\" is not a number > 0");
  CHECK(scratch.output("batch --drafts 2 --temperature 1.5 logits.jsonl").at("temperature") == 1.5);
  CHECK(scratch.output("batch --drafts 2 --temperature 10 logits.jsonl").at("temperature") == 10.0);
  const auto sweep = scratch.output("batch --drafts 2 --temperature 0.5,1e0,2E-1 logits.jsonl").at("sweep");
  REQUIRE(sweep.size() == 3);
  CHECK(sweep[0].at("temperature") == 0.5);
  CHECK(sweep[1].at("temperature") == 1.0);
  CHECK(sweep[2].at("temperature") == 0.2);
}

TEST_CASE("mdsd synthetic and synthetic-dataset refuse a leading zero in VOCAB, SEED, DRAFTS and POSITIONS") {
  const WholeNumberScratch scratch;
  scratch.expect_error("synthetic 0100", "VOCAB: \"0100\" has a leading zero (write 100)");
  scratch.expect_error("synthetic 00", "VOCAB: \"00\" has a leading zero (write 0)");
  scratch.expect_error("synthetic 10 01", "SEED: \"01\" has a leading zero (write 1)");
  scratch.expect_error("synthetic 10 00", "SEED: \"00\" has a leading zero (write 0)");
  scratch.expect_error("synthetic 10 -01", "SEED: \"-01\" has a leading zero (write -1)");
  scratch.expect_error("synthetic 10 1 02", "DRAFTS: \"02\" has a leading zero (write 2)");
  scratch.expect_error("synthetic 10 1 064", "DRAFTS: \"064\" has a leading zero (write 64)");
  scratch.expect_error("synthetic-dataset 02 10 1 t.npy d.npy", "POSITIONS: \"02\" has a leading zero (write 2)");
  scratch.expect_error("synthetic-dataset 2 010 1 t.npy d.npy", "VOCAB: \"010\" has a leading zero (write 10)");
  scratch.expect_error("synthetic-dataset 2 10 01 t.npy d.npy", "SEED: \"01\" has a leading zero (write 1)");
  scratch.expect_error("synthetic-dataset 2 10 00 t.npy d.npy", "SEED: \"00\" has a leading zero (write 0)");
  // Refused before any file is written.
  CHECK(!std::filesystem::exists(scratch.path("t.npy")));
  CHECK(!std::filesystem::exists(scratch.path("d.npy")));

  scratch.expect_error("synthetic +10", "VOCAB: must be an integer from 1 to 4194304, got \"+10\"");
  scratch.expect_error("synthetic 10 +1", "SEED: must be an integer from 0 to 9007199254740992, got \"+1\"");
  scratch.expect_error("synthetic 10 1 +2", "DRAFTS: must be an integer from 1 to 64, got \"+2\"");
  scratch.expect_error("synthetic-dataset +2 10 1 t.npy d.npy", "POSITIONS: must be an integer from 1 to 2147483648, got \"+2\"");
  // A lone 0: a seed, but no vocabulary, draft count or position count.
  scratch.expect_error("synthetic 0", "VOCAB: must be an integer from 1 to 4194304, got \"0\"");
  scratch.expect_error("synthetic 10 1 0", "DRAFTS: must be an integer from 1 to 64, got \"0\"");
  scratch.expect_error("synthetic-dataset 0 10 1 t.npy d.npy", "POSITIONS: must be an integer from 1 to 2147483648, got \"0\"");

  // Accepted as written: the pair of that vocabulary and seed, and the drafts.
  for (const auto& [vocabulary, seed, drafts] : {std::tuple{1, 0, 1}, std::tuple{10, 0, 1}, std::tuple{10, 10, 10}}) {
    const auto request = scratch.output("synthetic " + std::to_string(vocabulary) + " " + std::to_string(seed) + " " +
                                        std::to_string(drafts));
    const auto pair = synthetic_pair(vocabulary, static_cast<std::uint64_t>(seed));
    CHECK(request.at("target").get<std::vector<double>>() ==
          std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size()));
    CHECK(request.at("draft").get<std::vector<double>>() ==
          std::vector<double>(pair.draft.data(), pair.draft.data() + pair.draft.size()));
    CHECK(request.at("drafts") == drafts);
  }
  const auto dataset = scratch.run_mdsd("synthetic-dataset 1 10 0 t.npy d.npy");
  CHECK(dataset.status == 0);
  CHECK(dataset.err.empty());
  CHECK(std::filesystem::exists(scratch.path("t.npy")));
  CHECK(std::filesystem::exists(scratch.path("d.npy")));
}

TEST_CASE("mdsd synthetic TEMPERATURE is read as JSON writes a number") {
  const WholeNumberScratch scratch;
  for (const char* bad : {"01.5", "0x1p-1", "+1", " 1", "1.", ".5", "inf", "nan", "1e999", "0"}) {
    scratch.expect_error(std::string("synthetic 10 1 4 '") + bad + "'",
                         std::string("TEMPERATURE: must be a number > 0, got \"") + bad + "\"");
  }
  SyntheticOptions hot;
  hot.temperature = 1.5;
  const auto pair = synthetic_pair(10, 1, hot);
  for (const char* written : {"1.5", "15e-1", "0.15E1"}) {
    CAPTURE(written);
    const auto request = scratch.output(std::string("synthetic 10 1 4 ") + written);
    CHECK(request.at("target").get<std::vector<double>>() ==
          std::vector<double>(pair.target.data(), pair.target.data() + pair.target.size()));
  }
}

}  // namespace
}  // namespace mdsd::test
