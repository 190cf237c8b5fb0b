// mdsd: the calculator on the command line. See README.md "CLI".
#include "cli/commands.hpp"

#include <iostream>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: mdsd solve [FILE|-]\n"
    "         Reads a request (JSON) from FILE or standard input, prints the result JSON.\n"
    "       mdsd batch --drafts N[,N...|A-B] [--temperature T[,T...]] [--verifiers V,...]\n"
    "                  [--per-position OUT.csv|OUT.json] [--threads K] [--seed S]\n"
    "                  (DATA.jsonl | --logits|--probabilities TARGET.npy DRAFT.npy)\n"
    "         Mean acceptance over many positions, with 95% intervals; prints the summary JSON.\n"
    "       mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]\n"
    "         Prints a request with a synthetic LLM-like (target, draft) pair (not any\n"
    "         model's output): Zipf-like logits plus noise, the draft a noisy copy.\n"
    "       mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy\n"
    "         Writes POSITIONS synthetic pairs of logits as float32 [N, V] .npy files.\n"
    "Exit status: 0 on success, 2 on bad input (one line on stderr names the field or\n"
    "the file and row), 1 when a file cannot be read or written.\n"
    "See README.md for the request and result contract.\n";

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "solve") return mdsd::cli::solve_command(argc, argv);
  if (command == "batch") return mdsd::cli::batch_command(argc, argv);
  if (command == "synthetic") return mdsd::cli::synthetic_command(argc, argv);
  if (command == "synthetic-dataset") return mdsd::cli::synthetic_dataset_command(argc, argv);
  std::cerr << kUsage;
  return 2;
}
