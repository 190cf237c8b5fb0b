// llama.cpp's log-probability files, as `llama-perplexity -m MODEL.gguf -f
// TEXT --kl-divergence-base FILE` writes them (tools/perplexity/perplexity.cpp
// of llama.cpp; README.md "Engine files"), read one row at a time.
//
// The file, in the writer's byte order (little-endian on every machine
// llama.cpp runs on; read here as little-endian):
//   "_logits_", int32 n_ctx, int32 n_vocab, int32 n_chunk,
//   n_ctx * n_chunk int32 tokens (the tokenised text, chunk after chunk),
//   then for each chunk n_ctx - 1 - n_ctx/2 rows, one per context position
//   p = n_ctx/2 .. n_ctx - 2, the distribution of the token at p + 1:
//   float scale, float min_log_prob, n_vocab uint16 v (padded to an even
//   count), with log p = scale * v + min_log_prob.
// The writer clamps logits 16 nats below the row's maximum (min_logit =
// max(min, max - 16)), sets scale = (max_logit - min_logit) / 65535 and
// v = round((logit - min_logit) / scale) for logits above min_logit, else 0.
#pragma once

#include "core/distribution.hpp"
#include "core/expected.hpp"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mdsd {

// How far (in nats) a decoded value may be from the true log-probability plus
// one constant common to the row: half a quantisation step (scale / 2) plus
// kLlamaRoundingSlack for the float arithmetic of the writer (each of its
// roundings is below 2e-6 for rows whose logits are below 2^14 in size; see
// README.md "llama.cpp files").
inline constexpr double kLlamaRoundingSlack = 1e-5;
// A row whose decoded range (65535 * scale) is within this of 16 nats is
// taken as clamped: the writer's max - (max - 16) is 16 up to the rounding of
// max - 16 in float (below 1/512 for |max| < 2^14).
inline constexpr double kLlamaClampMargin = 1.0 / 256.0;

// One row decoded. Nothing clamped (the row spans less than 16 nats): the
// whole row as Kind::logits, the decoded log-probabilities. Clamped: the
// tokens with v > 0 as Kind::sparse (log-probabilities, unlisted = floor,
// vocab = n_vocab), every other token at most floor_logprob =
// min_log_prob + scale / 2 + kLlamaRoundingSlack. The error (a scale or
// min_log_prob that is not a number or not what the writer can produce, or
// values that do not make a distribution) has no prefix.
Expected<DistributionSpec> decode_llama_row(float scale, float min_log_prob, const std::uint16_t* values,
                                            std::int64_t n_vocab);

class LlamaLogitsReader {
 public:
  // Reads and checks the header and the tokens; for a regular file also that
  // its size is what the header promises (a truncated file is named at the
  // row where it ends, before anything is computed). Errors name the file.
  static Expected<std::unique_ptr<LlamaLogitsReader>> open(const std::string& path);

  std::int32_t n_ctx() const { return n_ctx_; }
  std::int32_t n_vocab() const { return n_vocab_; }
  std::int32_t n_chunk() const { return n_chunk_; }
  std::int64_t rows_per_chunk() const { return n_ctx_ - 1 - n_ctx_ / 2; }
  std::int64_t rows() const { return rows_per_chunk() * n_chunk_; }
  const std::vector<std::int32_t>& tokens() const { return tokens_; }
  // "chunk 3, position 300": the chunk and the position in it of the token
  // that row `row` predicts.
  std::string position_of(std::int64_t row) const;

  // The next row as a spec (decode_llama_row); false after the last one.
  // Errors name the file, the row and its chunk and position.
  Expected<bool> next(DistributionSpec& spec);

 private:
  LlamaLogitsReader() = default;
  std::string path_;
  std::ifstream file_;
  std::int32_t n_ctx_ = 0, n_vocab_ = 0, n_chunk_ = 0;
  std::vector<std::int32_t> tokens_;
  std::int64_t next_row_ = 0;
  std::string buffer_;
  std::vector<std::uint16_t> values_;
};

// The target's and the draft's file must come from one text: the same n_ctx,
// n_vocab, n_chunk and tokens. The first difference, named by chunk and
// position for the tokens; nothing when they agree.
std::optional<Error> check_llama_pair(const LlamaLogitsReader& target, const std::string& target_name,
                                      const LlamaLogitsReader& draft, const std::string& draft_name);

}  // namespace mdsd
