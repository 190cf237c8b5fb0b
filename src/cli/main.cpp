// mdsd: the calculator on the command line. See README.md "CLI".
#include "cli/commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: mdsd solve [FILE|-]\n"
    "         Reads a request (JSON) from FILE or standard input, prints the result JSON.\n"
    "       mdsd batch --drafts N[,N...|A-B] [--temperature T[,T...]] [--verifiers V,...]\n"
    "                  [--per-position OUT.csv|OUT.json] [--threads K] [--seed S]\n"
    "                  [--format npy|jsonl|llama|responses] [--vocab V] [--progress]\n"
    "                  [--measured RATES|JSON]...\n"
    "                  (DATA.jsonl | --logits|--probabilities TARGET.npy DRAFT.npy\n"
    "                   | TARGET.kld DRAFT.kld | TARGET.jsonl DRAFT.jsonl)\n"
    "         Mean acceptance over many positions, with 95% intervals; prints the summary JSON.\n"
    "         --measured: the acceptance your engine measured per draft position (0.71,0.52),\n"
    "         set beside the bounds (README \"The measured acceptance beside the bound\").\n"
    "         Pairs are recognised by content: .npy, llama.cpp logits (llama-perplexity\n"
    "         --kl-divergence-base), JSON Lines of engine responses (README \"Engine files\").\n"
    "       mdsd synthetic VOCAB [SEED [DRAFTS [TEMPERATURE]]]\n"
    "         Prints a request with a synthetic LLM-like (target, draft) pair (not any\n"
    "         model's output): Zipf-like logits plus noise, the draft a noisy copy.\n"
    "       mdsd synthetic-dataset POSITIONS VOCAB SEED TARGET.npy DRAFT.npy\n"
    "         Writes POSITIONS synthetic pairs of logits as float32 [N, V] .npy files.\n"
    "       mdsd tree (--acceptance P1,P2,... | --from VECTOR|SUMMARY [--verifier NAME])\n"
    "                 --budget M --depth D [--draft-time T (--target-time T | --target-times N:T,...)]\n"
    "         The draft tree of at most M nodes and depth D with the most expected tokens per\n"
    "         target call (p[b]: the chance that sibling b is accepted), beside chains; with\n"
    "         times, the budget and depth with the most tokens per unit time (README \"Draft trees\").\n"
    "       mdsd acceptance-vector [REQUEST.json|SUMMARY.json|PER_POSITION.json|-] [--csv]\n"
    "         Acceptance at n = 1..max_width (a request with \"max_width\" for \"drafts\", or the\n"
    "         summary or per-position JSON of mdsd batch --drafts 1-B) and the sibling vectors\n"
    "         p[b] = alpha_b - alpha_(b-1).\n"
    "Exit status: 0 on success, 2 on bad input (one line on stderr names the field or\n"
    "the file and row), 1 when a file or standard input cannot be read, or a file or\n"
    "standard output cannot be written.\n"
    "See README.md for the request and result contract.\n";

bool input_closed = false, output_closed = false;

bool is_open(int descriptor) { return ::fcntl(descriptor, F_GETFD) != -1 || errno != EBADF; }

}  // namespace

namespace mdsd::cli {

bool standard_input_closed() { return input_closed; }
bool standard_output_closed() { return output_closed; }

int finish_standard_output(int earlier_error) {
  if (output_closed) return fail("standard output: cannot be written: it is closed", 1);
  errno = 0;
  std::cout.flush();
  bool written = static_cast<bool>(std::cout) && std::fflush(stdout) == 0 && !std::ferror(stdout);
  int error = errno != 0 ? errno : earlier_error;
  // Closing reports what a flush may not (e.g. a file system that writes
  // back on close); nothing is printed after this. The descriptor, not the
  // FILE: the streams' static destructors still flush stdout (now empty).
  if (::close(STDOUT_FILENO) != 0 && written) {
    written = false;
    error = errno;
  }
  if (!written) {
    return fail(std::string("standard output: write failed") + (error ? std::string(": ") + std::strerror(error) : ""), 1);
  }
  return 0;
}

}  // namespace mdsd::cli

// The command named by argv[1].
static int run(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return mdsd::cli::finish_standard_output();
  }
  if (command == "solve") return mdsd::cli::solve_command(argc, argv);
  if (command == "batch") return mdsd::cli::batch_command(argc, argv);
  if (command == "synthetic") return mdsd::cli::synthetic_command(argc, argv);
  if (command == "synthetic-dataset") return mdsd::cli::synthetic_dataset_command(argc, argv);
  if (command == "tree") return mdsd::cli::tree_command(argc, argv);
  if (command == "acceptance-vector") return mdsd::cli::acceptance_vector_command(argc, argv);
  std::cerr << kUsage;
  return 2;
}

int main(int argc, char** argv) {
  // A descriptor closed by the caller (`mdsd solve >&-`) would be given to
  // the next file opened, and every print would go into that file: occupy it.
  for (int descriptor = 0; descriptor <= 2; ++descriptor) {
    if (is_open(descriptor)) continue;
    if (descriptor == 0) input_closed = true;
    if (descriptor == 1) output_closed = true;
    const int null = ::open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY);
    if (null != descriptor && null >= 0) ::close(null);
  }
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    // Memory ran out (a request larger than the machine, or `ulimit -v`):
    // one line, not std::terminate's abort. write(2): printing may allocate.
    const char message[] = "mdsd: out of memory\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    return 1;
  }
}
