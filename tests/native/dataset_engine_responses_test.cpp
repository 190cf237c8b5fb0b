// dataset/engine_responses and `mdsd batch` on JSON Lines of engine
// responses. The responses are written here from full synthetic target and
// draft distributions, in the shapes the engines produce (OpenAI chat with
// the true top k; vLLM's chat, whose top_logprobs are the first k of [the
// text's token, top 1, ..., top k]; completions with echo, which list the
// text's token beside the top k; vLLM's {id: Logprob} dicts; SGLang's
// [logprob, id, text] triples; llama.cpp's /completion), and what is read
// back is checked against the truth: every listed value exact, no unlisted
// token above the smallest listed one where the list claims to be the top,
// shared ids for target and draft, and no more lost than the text's token.
#include "support.hpp"

#include "dataset/engine_responses.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

constexpr int kVocab = 40;

std::string name_of(int token) { return " w" + std::to_string(token); }

ojson bytes_of(const std::string& text) {
  ojson bytes = ojson::array();
  for (unsigned char c : text) bytes.push_back(static_cast<int>(c));
  return bytes;
}

// One text: per position the target's and the draft's full distribution and
// the token the text has there.
struct Text {
  std::vector<Eigen::VectorXd> p, q;
  std::vector<int> chosen;
};

// Tokens by decreasing probability (ties: lower id).
std::vector<int> ranked(const Eigen::VectorXd& p) {
  std::vector<int> order(static_cast<std::size_t>(p.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
  return order;
}

// Position j's token: the most likely (j % 4 == 0), the k-th (1), beyond the
// top k (2), or any (3), by the target.
Text synthetic_text(int positions, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> any(0, kVocab - 1);
  Text text;
  for (int j = 0; j < positions; ++j) {
    Eigen::VectorXd logits(kVocab), noisy(kVocab);
    for (int i = 0; i < kVocab; ++i) {
      logits[i] = 2.0 * normal(rng);
      noisy[i] = logits[i] + 1.2 * normal(rng);
    }
    const Eigen::VectorXd p = (logits.array() - logits.maxCoeff()).exp();
    const Eigen::VectorXd q = (noisy.array() - noisy.maxCoeff()).exp();
    text.p.push_back(p / p.sum());
    text.q.push_back(q / q.sum());
    const auto order = ranked(text.p.back());
    const int cases[] = {order[0], order[k - 1], order[std::min(k + 1, kVocab - 1)], any(rng)};
    text.chosen.push_back(cases[j % 4]);
  }
  return text;
}

// ------------------------------------------------------------ the engines' shapes

using Writer = std::function<ojson(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k)>;

ojson chat_entry(int token, double logprob, bool with_id) {
  ojson entry = {{"token", name_of(token)}, {"logprob", logprob}, {"bytes", bytes_of(name_of(token))}};
  if (with_id) entry["id"] = token;
  return entry;
}

// OpenAI chat (and llama.cpp with ids): the true top k, the text's token beside.
ojson chat_content(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k, bool with_id,
                   bool vllm_order) {
  ojson content = ojson::array();
  for (std::size_t j = 0; j < dists.size(); ++j) {
    const auto& p = dists[j];
    ojson entry = chat_entry(chosen[j], std::log(p[chosen[j]]), with_id);
    ojson top = ojson::array();
    std::vector<int> order = ranked(p);
    if (vllm_order) {  // the dict [text's token, top 1, ..., top k], first k entries
      order.erase(std::remove(order.begin(), order.end(), chosen[j]), order.end());
      order.insert(order.begin(), chosen[j]);
    }
    for (int i = 0; i < k; ++i) top.push_back(chat_entry(order[i], std::log(p[order[i]]), with_id));
    entry["top_logprobs"] = top;
    content.push_back(entry);
  }
  return content;
}

ojson openai_chat(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  return {{"id", "chatcmpl-1"}, {"object", "chat.completion"},
          {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "..."}}},
                        {"logprobs", {{"content", chat_content(dists, chosen, k, false, false)}}}}}}};
}

ojson vllm_chat(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  return {{"choices", {{{"index", 0}, {"logprobs", {{"content", chat_content(dists, chosen, k, false, true)}}}}}}};
}

ojson llama_server(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  return {{"content", "..."}, {"completion_probabilities", chat_content(dists, chosen, k, true, false)}};
}

// Completions with echo: the prompt's first token with nulls, then
// top_logprobs = the top k and the text's token.
ojson completions_echo(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  ojson tokens = {name_of(7)}, values = {nullptr}, tops = {nullptr}, offsets = {0};
  for (std::size_t j = 0; j < dists.size(); ++j) {
    const auto& p = dists[j];
    tokens.push_back(name_of(chosen[j]));
    values.push_back(std::log(p[chosen[j]]));
    ojson top = ojson::object();
    const auto order = ranked(p);
    for (int i = 0; i < k; ++i) top[name_of(order[i])] = std::log(p[order[i]]);
    top[name_of(chosen[j])] = std::log(p[chosen[j]]);
    tops.push_back(top);
    offsets.push_back(static_cast<int>(j) * 3);
  }
  return {{"object", "text_completion"},
          {"choices", {{{"index", 0}, {"text", "..."},
                        {"logprobs", {{"tokens", tokens}, {"token_logprobs", values}, {"top_logprobs", tops},
                                      {"text_offset", offsets}}}}}}};
}

// vLLM's dicts: the text's token first (with its rank), then the top k.
ojson vllm_dicts(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k, ojson& ids) {
  ojson list = {nullptr};
  ids = {7};
  for (std::size_t j = 0; j < dists.size(); ++j) {
    const auto& p = dists[j];
    const auto order = ranked(p);
    const auto rank = std::find(order.begin(), order.end(), chosen[j]) - order.begin() + 1;
    ojson dict = ojson::object();
    dict[std::to_string(chosen[j])] = {{"logprob", std::log(p[chosen[j]])}, {"rank", rank}, {"decoded_token", name_of(chosen[j])}};
    for (int i = 0; i < k; ++i) {
      dict[std::to_string(order[i])] = {{"logprob", std::log(p[order[i]])}, {"rank", i + 1}, {"decoded_token", name_of(order[i])}};
    }
    list.push_back(dict);
    ids.push_back(chosen[j]);
  }
  return list;
}

ojson vllm_server_prompt(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  ojson ids;
  ojson list = vllm_dicts(dists, chosen, k, ids);
  return {{"object", "text_completion"},
          {"choices", {{{"index", 0}, {"text", ""}, {"logprobs", nullptr}, {"prompt_logprobs", list}, {"prompt_token_ids", ids}}}}};
}

ojson vllm_offline(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  ojson ids;
  ojson list = vllm_dicts(dists, chosen, k, ids);
  return {{"request_id", "0"}, {"prompt_token_ids", ids}, {"prompt_logprobs", list}};
}

// SGLang: input_token_logprobs [logprob, id, text] (the first with null),
// input_top_logprobs the true top k.
ojson sglang(const std::vector<Eigen::VectorXd>& dists, const std::vector<int>& chosen, int k) {
  ojson tokens = {{nullptr, 7, nullptr}}, tops = {nullptr};
  for (std::size_t j = 0; j < dists.size(); ++j) {
    const auto& p = dists[j];
    tokens.push_back({std::log(p[chosen[j]]), chosen[j], name_of(chosen[j])});
    ojson top = ojson::array();
    const auto order = ranked(p);
    for (int i = 0; i < k; ++i) top.push_back({std::log(p[order[i]]), order[i], name_of(order[i])});
    tops.push_back(top);
  }
  return {{"text", "..."}, {"meta_info", {{"id", "x"}, {"input_token_logprobs", tokens}, {"input_top_logprobs", tops}}}};
}

struct Shape {
  const char* name;
  Writer writer;
  int kept;  // the list keeps at least the top `k - kept_loss` of the truth, the text's token aside
  bool ids;  // tokens known by id
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      {"openai chat", openai_chat, 0, false},       {"vllm chat", vllm_chat, 1, false},
      {"llama.cpp /completion", llama_server, 0, true}, {"completions echo", completions_echo, 0, false},
      {"vllm server prompt_logprobs", vllm_server_prompt, 0, true}, {"vllm offline", vllm_offline, 0, true},
      {"sglang", sglang, 0, true}};
  return all;
}

// ------------------------------------------------------------------ running mdsd

using Ran = ScratchFolder::Run;

struct ResponsesScratch : ScratchFolder {
  ResponsesScratch() : ScratchFolder("mdsd_responses_test") {}
  Ran run(const std::string& arguments, const std::string& before = "") const { return run_mdsd(arguments, before); }
};


// The token of a listed value: the one whose true log-probability it is.
int token_with(const Eigen::VectorXd& p, double logprob) {
  for (int i = 0; i < p.size(); ++i) {
    if (std::log(p[i]) == logprob) return i;
  }
  return -1;
}

}  // namespace

TEST_CASE("engine responses: every shape reads back exact values, a valid top list and ids shared by target and draft") {
  const ResponsesScratch scratch;
  for (const Shape& shape : shapes()) {
    for (const int k : {1, 3, 5}) {
      const std::string shape_name = shape.name;
      CAPTURE(shape_name);
      CAPTURE(k);
      // Two texts (two lines) of 8 positions.
      std::vector<Text> texts = {synthetic_text(8, k, 100 + k), synthetic_text(8, k, 200 + k)};
      std::string target_lines, draft_lines;
      for (const Text& text : texts) {
        target_lines += shape.writer(text.p, text.chosen, k).dump() + "\n";
        draft_lines += shape.writer(text.q, text.chosen, k).dump() + "\n\n";  // blank lines are skipped
      }
      scratch.write("t.jsonl", target_lines);
      scratch.write("d.jsonl", draft_lines);
      auto reader = ResponsePairReader::open(scratch.path("t.jsonl").string(), scratch.path("d.jsonl").string(), 0);
      REQUIRE(reader.ok());
      int read = 0;
      for (std::size_t line = 0; line < texts.size(); ++line) {
        for (std::size_t j = 0; j < 8; ++j) {
          CAPTURE(line);
          CAPTURE(j);
          DistributionSpec target, draft;
          std::string where;
          auto more = reader.value()->next(target, draft, where);
          REQUIRE_MESSAGE(more.ok(), more.error());
          REQUIRE(more.value());
          CHECK(where == scratch.path("t.jsonl").string() + ":" + std::to_string(line + 1) + ", " +
                             scratch.path("d.jsonl").string() + ":" + std::to_string(2 * line + 1) + " position " +
                             std::to_string(j));
          const int chosen = texts[line].chosen[j];
          std::map<std::int64_t, int> token_of_id;
          for (auto [spec, dist] : {std::pair{&target, &texts[line].p[j]}, std::pair{&draft, &texts[line].q[j]}}) {
            REQUIRE(spec->kind == DistributionSpec::Kind::sparse);
            const SparseListSpec& sparse = spec->sparse;
            CHECK(sparse.log);
            CHECK(sparse.vocab == 0);
            REQUIRE(sparse.ids.size() == sparse.values.size());
            REQUIRE_FALSE(sparse.ids.empty());
            std::set<int> listed;
            double smallest = INFINITY;
            for (std::size_t i = 0; i < sparse.ids.size(); ++i) {
              const int token = token_with(*dist, sparse.values[i]);  // exact: the value is a true log p
              REQUIRE(token >= 0);
              CHECK(listed.insert(token).second);
              if (shape.ids) CHECK(sparse.ids[i] == token);
              const auto [entry, inserted] = token_of_id.emplace(sparse.ids[i], token);
              CHECK(entry->second == token);  // one id, one token, in target and draft alike
              smallest = std::min(smallest, sparse.values[i]);
            }
            const auto order = ranked(*dist);
            // Nothing lost but the text's token (and, for vLLM's chat, the k-th).
            for (int i = 0; i < k - shape.kept; ++i) {
              if (order[i] != chosen) CHECK(listed.contains(order[i]));
            }
            if (sparse.unlisted == SparseListSpec::Unlisted::top_k) {
              for (int i = 0; i < kVocab; ++i) {
                if (!listed.contains(i)) CHECK(std::log((*dist)[i]) <= smallest);
              }
            } else {
              // Only a single entry that is the text's token says nothing of the rest.
              CHECK(sparse.unlisted == SparseListSpec::Unlisted::any);
              CHECK(listed == std::set<int>{chosen});
            }
          }
          // Distinct tokens have distinct ids.
          std::set<int> tokens;
          for (const auto& [id, token] : token_of_id) CHECK(tokens.insert(token).second);
          ++read;
        }
      }
      DistributionSpec target, draft;
      std::string where;
      auto end = reader.value()->next(target, draft, where);
      REQUIRE(end.ok());
      CHECK_FALSE(end.value());
      CHECK(read == 16);
    }
  }
}

TEST_CASE("engine responses: the text's token outside the top k is left out, and the list stays a top list") {
  // Completions list "up to logprobs + 1" entries: with the text's token the
  // smallest of k + 1, it is dropped and the k others are the top k.
  const std::string line =
      R"({"choices": [{"logprobs": {"tokens": ["a", "b"], "token_logprobs": [null, -3.0],
          "top_logprobs": [null, {"x": -0.5, "y": -1.5, "b": -3.0}]}}]})";
  auto positions = parse_engine_response(line);
  REQUIRE_MESSAGE(positions.ok(), positions.error());
  REQUIRE(positions.value().size() == 1);
  const ResponsePosition& position = positions.value()[0];
  CHECK(position.chosen.key == "s:b");
  CHECK(position.top_k);
  REQUIRE(position.listed.size() == 2);
  CHECK(position.listed[0].key == "s:x");
  CHECK(position.listed[1].key == "s:y");
  // vLLM's rank says when the text's token is one of the top: rank 2 of 3 kept.
  auto ranked_line = parse_engine_response(
      R"({"prompt_logprobs": [null, {"5": {"logprob": -1.2, "rank": 2}, "9": {"logprob": -0.6, "rank": 1}, "3": {"logprob": -2.5, "rank": 3}}],
          "prompt_token_ids": [1, 5]})");
  REQUIRE_MESSAGE(ranked_line.ok(), ranked_line.error());
  CHECK(ranked_line.value()[0].listed.size() == 3);
  // ... and beyond the list (rank 7 among 3): dropped.
  auto beyond = parse_engine_response(
      R"({"prompt_logprobs": [null, {"5": {"logprob": -4.0, "rank": 7}, "9": {"logprob": -0.4, "rank": 1}, "3": {"logprob": -2.5, "rank": 2}}],
          "prompt_token_ids": [1, 5]})");
  REQUIRE(beyond.ok());
  CHECK(beyond.value()[0].listed.size() == 2);
  // Without prompt_token_ids the text's tokens are unknown.
  auto no_ids = parse_engine_response(R"({"prompt_logprobs": [null, {"9": {"logprob": -0.4}, "2": {"logprob": -1.4}}]})");
  REQUIRE_FALSE(no_ids.ok());
  CHECK(contains(no_ids.error(), "prompt_token_ids: is missing"));
  // "token_id:N" strings (vLLM's return_tokens_as_token_ids) are ids.
  auto as_ids = parse_engine_response(
      R"({"choices": [{"logprobs": {"content": [{"token": "token_id:12", "logprob": -0.1,
          "top_logprobs": [{"token": "token_id:12", "logprob": -0.1}, {"token": "token_id:4", "logprob": -2.6}]}]}}]})");
  REQUIRE(as_ids.ok());
  CHECK(as_ids.value()[0].chosen.key == "#12");
  CHECK(as_ids.value()[0].listed.size() == 2);
}

// The true alpha* of each position (the full distributions, as JSON Lines)
// must lie in the interval `mdsd batch` gives from the responses' lists.
TEST_CASE("mdsd batch on engine responses: every interval holds the true alpha* of the full distributions") {
  const ResponsesScratch scratch;
  const std::vector<std::string> methods = {"with_replacement", "without_replacement", "greedy", "top_n"};
  for (const Shape& shape : shapes()) {
    for (const int k : {1, 3, 6}) {
      const std::string shape_name = shape.name;
      CAPTURE(shape_name);
      CAPTURE(k);
      std::string target_lines, draft_lines, truth_lines;
      for (int line = 0; line < 2; ++line) {
        const Text text = synthetic_text(8, k, 300 + 10 * k + line);
        target_lines += shape.writer(text.p, text.chosen, k).dump() + "\n";
        draft_lines += shape.writer(text.q, text.chosen, k).dump() + "\n";
        for (std::size_t j = 0; j < text.p.size(); ++j) {
          const nlohmann::json position = {{"target", std::vector<double>(text.p[j].data(), text.p[j].data() + kVocab)},
                                           {"draft", std::vector<double>(text.q[j].data(), text.q[j].data() + kVocab)}};
          truth_lines += position.dump() + "\n";
        }
      }
      scratch.write("t.jsonl", target_lines);
      scratch.write("d.jsonl", draft_lines);
      scratch.write("truth.jsonl", truth_lines);
      const Ran bounds = scratch.run("batch --drafts 1-3 --verifiers '' --per-position bounds.json t.jsonl d.jsonl");
      INFO(bounds.err);
      REQUIRE(bounds.status == 0);
      const Ran truth = scratch.run("batch --drafts 1-3 --verifiers '' --per-position truth.json truth.jsonl");
      INFO(truth.err);
      REQUIRE(truth.status == 0);
      const auto intervals = nlohmann::json::parse(slurp(scratch.path("bounds.json")));
      const auto exact = nlohmann::json::parse(slurp(scratch.path("truth.json")));
      REQUIRE(intervals.size() == 16 * 3);
      REQUIRE(exact.size() == intervals.size());
      int closed = 0;
      for (std::size_t row = 0; row < exact.size(); ++row) {
        CAPTURE(row);
        for (const std::string& method : methods) {
          CAPTURE(method);
          const auto& value = exact[row]["optimal"][method];
          const auto& interval = intervals[row]["optimal"][method];
          if (value.is_null()) continue;  // does not apply to the full pair
          // With replacement is always bounded; another method may refuse (null).
          if (method == "with_replacement") REQUIRE(interval.is_array());
          if (!interval.is_array()) continue;
          const double alpha = value.get<double>(), lo = interval[0].get<double>(), hi = interval[1].get<double>();
          CHECK(lo <= alpha + 1e-9);
          CHECK(alpha <= hi + 1e-9);
          if (hi - lo < 1e-9) ++closed;
        }
      }
      CHECK(closed < static_cast<int>(exact.size()) * 4);  // the lists do leave something open
    }
  }
}

TEST_CASE("mdsd batch: a byte order mark opening a JSON Lines file is read as nothing") {
  const ResponsesScratch scratch;
  const Text text = synthetic_text(6, 3, 9);
  const std::string target = openai_chat(text.p, text.chosen, 3).dump(), draft = openai_chat(text.q, text.chosen, 3).dump();
  scratch.write("t.jsonl", target + "\n");
  scratch.write("d.jsonl", draft + "\n");
  scratch.write("bom-t.jsonl", "\xef\xbb\xbf" + target + "\n");
  scratch.write("bom-d.jsonl", "\xef\xbb\xbf" + draft + "\n");
  const Ran plain = scratch.run("batch --drafts 2 t.jsonl d.jsonl");
  const Ran marked = scratch.run("batch --drafts 2 bom-t.jsonl bom-d.jsonl");
  REQUIRE_MESSAGE(plain.status == 0, plain.err);
  REQUIRE_MESSAGE(marked.status == 0, marked.err);
  CHECK(nlohmann::json::parse(marked.out)["mean"] == nlohmann::json::parse(plain.out)["mean"]);
  // A first line holding only the mark is a blank line.
  scratch.write("positions.jsonl", "{\"target\": [0.5, 0.5], \"draft\": [0.9, 0.1]}\n");
  scratch.write("bom-line.jsonl", "\xef\xbb\xbf\n{\"target\": [0.5, 0.5], \"draft\": [0.9, 0.1]}\n");
  const Ran positions = scratch.run("batch --drafts 2 positions.jsonl");
  const Ran bom_line = scratch.run("batch --drafts 2 bom-line.jsonl");
  REQUIRE_MESSAGE(positions.status == 0, positions.err);
  REQUIRE_MESSAGE(bom_line.status == 0, bom_line.err);
  CHECK(nlohmann::json::parse(bom_line.out)["mean"] == nlohmann::json::parse(positions.out)["mean"]);
}

TEST_CASE("mdsd batch: every bad response file exits 2 with one line naming the file, the line and the position") {
  const ResponsesScratch scratch;
  const Text text = synthetic_text(6, 3, 9);
  const std::string good_target = openai_chat(text.p, text.chosen, 3).dump();
  const std::string good_draft = openai_chat(text.q, text.chosen, 3).dump();
  scratch.write("t.jsonl", good_target + "\n" + good_target + "\n");
  scratch.write("d.jsonl", good_draft + "\n" + good_draft + "\n");
  auto edited = [&](const std::function<void(ojson&)>& edit) {
    ojson response = ojson::parse(good_draft);
    edit(response);
    return good_draft + "\n" + response.dump() + "\n";
  };
  auto content = [](ojson& response) -> ojson& { return response["choices"][0]["logprobs"]["content"]; };
  std::vector<int> other = text.chosen;
  other[3] = (other[3] + 1) % kVocab;
  scratch.write("other.jsonl", good_draft + "\n" + openai_chat(text.q, other, 3).dump() + "\n");
  scratch.write("none.jsonl", edited([](ojson& r) { r["choices"][0]["logprobs"] = nullptr; }));
  scratch.write("empty.jsonl", edited([&](ojson& r) { content(r)[3]["top_logprobs"] = ojson::array(); }));
  scratch.write("shorter.jsonl", edited([&](ojson& r) { content(r).erase(5); }));
  scratch.write("one.jsonl", good_draft + "\n");
  scratch.write("twice.jsonl", edited([&](ojson& r) { content(r)[2]["top_logprobs"][1]["token"] = content(r)[2]["top_logprobs"][0]["token"]; }));
  scratch.write("above.jsonl", edited([&](ojson& r) {
    ojson& entry = content(r)[4];
    entry["top_logprobs"].erase(0);  // the most likely is gone, yet the text's token stays below
    entry["token"] = entry["top_logprobs"][0]["token"].get<std::string>() + "?";
    entry["logprob"] = -1e-3;
  }));
  scratch.write("syntax.jsonl", good_draft + "\n{\"choices\": [\n");
  scratch.write("unknown.jsonl", good_draft + "\n{\"hello\": 1}\n");
  scratch.write("array.jsonl", good_draft + "\n[1, 2]\n");
  scratch.write("positive.jsonl", edited([&](ojson& r) { content(r)[1]["top_logprobs"][0]["logprob"] = 0.5; }));
  scratch.write("sum.jsonl", edited([&](ojson& r) {
    for (auto& entry : content(r)[0]["top_logprobs"]) entry["logprob"] = -0.1;
  }));
  scratch.write("duplicate.jsonl", good_draft + "\n" +
                R"({"choices": [{"logprobs": {"tokens": ["a", "b"], "token_logprobs": [null, -1.0], "top_logprobs": [null, {"b": -1.0, "b": -0.5}]}}]})" "\n");
  scratch.write("probs.jsonl", good_draft + "\n" + R"({"completion_probabilities": [{"id": 3, "token": "x", "prob": 0.5, "top_probs": [{"id": 3, "token": "x", "prob": 0.5}]}]})" "\n");
  scratch.write("ids.jsonl", good_draft + "\n" + llama_server(text.q, text.chosen, 3).dump() + "\n");
  scratch.write("llama-t.jsonl", llama_server(text.p, text.chosen, 3).dump() + "\n");
  scratch.write("llama-d.jsonl", llama_server(text.q, text.chosen, 3).dump() + "\n");
  scratch.write("positions.jsonl", "{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5]}\n");
  // A byte order mark may open a file; at the start of a later line it is an error (engine and position files alike).
  scratch.write("bom.jsonl", "\xef\xbb\xbf" + good_draft + "\n\xef\xbb\xbf" + good_draft + "\n");
  scratch.write("bom-t.jsonl", "\xef\xbb\xbf" + good_target + "\n" + good_target + "\n");
  scratch.write("bom-positions.jsonl", "\xef\xbb\xbf{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5]}\n"
                                       "\xef\xbb\xbf{\"target\": [0.5, 0.5], \"draft\": [0.5, 0.5]}\n");
  const std::string chosen3 = "\"" + name_of(text.chosen[3]) + "\"", other3 = "\"" + name_of(other[3]) + "\"";

  struct Bad {
    std::string arguments;
    std::vector<std::string> parts;
  };
  for (const Bad& bad : {
           Bad{"t.jsonl other.jsonl", {"t.jsonl:2", "other.jsonl:2", "position 3", chosen3, other3, "differ"}},
           Bad{"t.jsonl none.jsonl", {"none.jsonl:2", "no log-probabilities"}},
           Bad{"t.jsonl empty.jsonl", {"empty.jsonl:2", "content[3]", "lists no tokens"}},
           Bad{"t.jsonl shorter.jsonl", {"t.jsonl:2", "6 positions", "shorter.jsonl:2", "5"}},
           Bad{"t.jsonl one.jsonl", {"one.jsonl", "ends after line 1", "t.jsonl:2"}},
           Bad{"t.jsonl twice.jsonl", {"twice.jsonl:2", "content[2]", "twice", "token ids"}},
           Bad{"t.jsonl above.jsonl", {"above.jsonl:2", "content[4]", "not the most likely"}},
           Bad{"t.jsonl syntax.jsonl", {"syntax.jsonl:2", "not valid JSON"}},
           Bad{"t.jsonl unknown.jsonl", {"unknown.jsonl:2", "not an engine response"}},
           Bad{"t.jsonl array.jsonl", {"array.jsonl:2", "JSON object"}},
           Bad{"t.jsonl positive.jsonl", {"positive.jsonl:2", "content[1].top_logprobs[0].logprob", "positive"}},
           Bad{"t.jsonl sum.jsonl", {"sum.jsonl:2", "content[0]", "sum to"}},
           Bad{"t.jsonl duplicate.jsonl", {"duplicate.jsonl:2", "given twice"}},
           Bad{"t.jsonl probs.jsonl", {"probs.jsonl:2", "post_sampling_probs"}},
           Bad{"t.jsonl ids.jsonl", {"t.jsonl:2", "ids.jsonl:2", "position 0", "token ids"}},
           Bad{"--vocab 5 llama-t.jsonl llama-d.jsonl", {"llama-t.jsonl:1", "position 0", "vocabulary size 5"}},
           Bad{"positions.jsonl positions.jsonl", {"positions.jsonl:1", "given alone"}},
           Bad{"bom-t.jsonl bom.jsonl", {"bom.jsonl:2", "byte order mark", "only at the start of the file"}},
           Bad{"bom-positions.jsonl", {"bom-positions.jsonl:2", "byte order mark"}},
           Bad{"--format jsonl t.jsonl d.jsonl", {"--format jsonl"}},
           Bad{"--probabilities t.jsonl d.jsonl", {"--probabilities"}},
       }) {
    CAPTURE(bad.arguments);
    const Ran ran = scratch.run("batch --drafts 2 " + bad.arguments);
    CAPTURE(ran.err);
    CHECK(ran.status == 2);
    CHECK(ran.out.empty());
    CHECK(one_line(ran.err));
    CHECK(starts_with(ran.err, "mdsd: "));
    for (const std::string& part : bad.parts) CHECK_MESSAGE(contains(ran.err, part), part);
  }
}

}  // namespace mdsd::test
