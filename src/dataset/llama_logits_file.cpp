#include "dataset/llama_logits_file.hpp"

#include "core/limits.hpp"
#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace mdsd {
namespace {

constexpr char kMagic[] = "_logits_";
constexpr std::size_t kHeaderBytes = 20;  // magic, n_ctx, n_vocab, n_chunk
constexpr std::int64_t kMaxContext = std::int64_t{1} << 24;
// Slack of the sanity checks on a decoded row (log-probabilities at most 0,
// probabilities summing to 1): far above the quantisation (1.3e-4 nats),
// far below what a misread file gives.
constexpr double kRowSlack = 1e-3;

std::uint32_t little_endian_32(const unsigned char* bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
         static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

std::int32_t int32_at(const unsigned char* bytes) { return static_cast<std::int32_t>(little_endian_32(bytes)); }

float float_at(const unsigned char* bytes) {
  const std::uint32_t bits = little_endian_32(bytes);
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::int32_t swapped(std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  return static_cast<std::int32_t>((bits >> 24) | ((bits >> 8) & 0xff00) | ((bits << 8) & 0xff0000) | (bits << 24));
}

// A sum of exponentials to 6 significant digits: exp() may round its last
// digits otherwise than the page's JavaScript does.
std::string six_digits(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::string not_finite(double value) { return std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity"; }

// The range error of one header field, or nothing.
std::optional<std::string> header_range(std::int32_t n_ctx, std::int32_t n_vocab, std::int32_t n_chunk) {
  if (n_ctx < 3 || n_ctx > kMaxContext) {
    if (n_ctx == 1 || n_ctx == 2) {
      return "n_ctx " + std::to_string(n_ctx) + " leaves no rows (llama-perplexity writes n_ctx - 1 - n_ctx/2 rows per chunk)";
    }
    return "n_ctx " + std::to_string(n_ctx) + " is outside 3 to " + std::to_string(kMaxContext);
  }
  if (n_vocab < 1 || n_vocab > limits::kMaxVocabulary) {
    return "n_vocab " + std::to_string(n_vocab) + " is outside 1 to " + std::to_string(limits::kMaxVocabulary);
  }
  if (n_chunk < 1) return "n_chunk " + std::to_string(n_chunk) + ": the file holds no chunks";
  return std::nullopt;
}

}  // namespace

Expected<DistributionSpec> decode_llama_row(float scale_value, float min_value, const std::uint16_t* values,
                                            std::int64_t n_vocab) {
  const double scale = scale_value, min_log_prob = min_value;
  const double log_vocab = std::log(static_cast<double>(n_vocab));
  if (!std::isfinite(scale)) return Error{"scale is not a finite number (" + not_finite(scale) + ")"};
  if (!std::isfinite(min_log_prob)) return Error{"min_log_prob is not a finite number (" + not_finite(min_log_prob) + ")"};
  // The writer's scale is (max_logit - min_logit) / 65535 with the two at
  // most 16 apart, and min_log_prob = min_logit - max_logit - log(sum) lies
  // in [-16 - log(n_vocab), 0].
  if (scale < 0.0 || scale * 65535.0 > 16.0 + kRowSlack) {
    return Error{"scale " + format_number(scale) + " is outside what llama-perplexity writes (0 to 16/65535)"};
  }
  if (min_log_prob > kRowSlack || min_log_prob < -16.0 - log_vocab - kRowSlack) {
    return Error{"min_log_prob " + format_number(min_log_prob) +
                 " is outside what llama-perplexity writes (-16 - log(n_vocab) to 0)"};
  }
  const auto n = static_cast<std::size_t>(n_vocab);
  const std::uint16_t largest = *std::max_element(values, values + n);
  const double top = scale * largest + min_log_prob;
  if (top > kRowSlack || top < -log_vocab - kRowSlack) {
    return Error{"the largest value decodes to log p = " + format_number(top) +
                 ", which no distribution over n_vocab tokens has as its largest"};
  }
  DistributionSpec spec;
  // Each decoded value is within half a step plus the writer's rounding of
  // the true log p (up to a constant common to the row): the bounds are
  // widened by what that can change.
  spec.log_tolerance = 0.5 * scale + kLlamaRoundingSlack;
  const bool clamped = scale * 65535.0 > 16.0 - kLlamaClampMargin;
  if (!clamped) {
    // Every token is known to within scale / 2: the whole row.
    spec.kind = DistributionSpec::Kind::logits;
    spec.values.resize(static_cast<Eigen::Index>(n));
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      spec.values[static_cast<Eigen::Index>(i)] = scale * values[i] + min_log_prob;
      sum += std::exp(spec.values[static_cast<Eigen::Index>(i)]);
    }
    if (std::abs(sum - 1.0) > kRowSlack) {
      return Error{"the decoded probabilities sum to " + six_digits(sum) + ", not 1"};
    }
    return spec;
  }
  // Clamped: v = 0 says only "at most the floor".
  spec.kind = DistributionSpec::Kind::sparse;
  SparseListSpec& sparse = spec.sparse;
  sparse.log = true;
  sparse.unlisted = SparseListSpec::Unlisted::floor;
  sparse.floor_logprob = min_log_prob + 0.5 * scale + kLlamaRoundingSlack;
  sparse.vocab = n_vocab;
  double listed = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (values[i] == 0) continue;
    sparse.ids.push_back(static_cast<std::int64_t>(i));
    sparse.values.push_back(scale * values[i] + min_log_prob);
    listed += std::exp(sparse.values.back());
  }
  const double unlisted_at_most = static_cast<double>(n - sparse.ids.size()) * std::exp(sparse.floor_logprob);
  if (listed > 1.0 + kRowSlack || listed + unlisted_at_most < 1.0 - kRowSlack) {
    return Error{"the decoded probabilities sum to " + six_digits(listed) + " above the floor and at most " +
                 six_digits(listed + unlisted_at_most) + " in all, which is not 1"};
  }
  return spec;
}

Expected<std::unique_ptr<LlamaLogitsReader>> LlamaLogitsReader::open(const std::string& path) {
  std::unique_ptr<LlamaLogitsReader> reader(new LlamaLogitsReader());
  reader->path_ = path;
  std::ifstream& file = reader->file_;
  file.open(path, std::ios::binary);
  if (!file) return Error{path + ": cannot be opened"};
  unsigned char header[kHeaderBytes];
  file.read(reinterpret_cast<char*>(header), kHeaderBytes);
  const auto got = static_cast<std::size_t>(file.gcount());
  if (got < 8 || std::memcmp(header, kMagic, 8) != 0) {
    return Error{path + ": not a llama.cpp logits file (it does not start with \"_logits_\", as what "
                 "llama-perplexity --kl-divergence-base writes does)"};
  }
  if (got < 12) return Error{path + ": the header is truncated: it ends before n_ctx"};
  if (got == 12) {
    return Error{path + ": the header ends after n_ctx: llama-perplexity wrote no tokens (it stops there when "
                 "the text has fewer than 2 * n_ctx tokens)"};
  }
  if (got < kHeaderBytes) return Error{path + ": the header is truncated: it ends inside n_vocab and n_chunk"};
  const std::int32_t n_ctx = int32_at(header + 8), n_vocab = int32_at(header + 12), n_chunk = int32_at(header + 16);
  if (auto error = header_range(n_ctx, n_vocab, n_chunk)) {
    std::string message = path + ": " + *error;
    if (!header_range(swapped(n_ctx), swapped(n_vocab), swapped(n_chunk))) {
      message += " (with its bytes swapped the header reads n_ctx " + std::to_string(swapped(n_ctx)) + ", n_vocab " +
                 std::to_string(swapped(n_vocab)) + ", n_chunk " + std::to_string(swapped(n_chunk)) +
                 ": a file written on a big-endian machine is not supported)";
    }
    return Error{message};
  }
  reader->n_ctx_ = n_ctx;
  reader->n_vocab_ = n_vocab;
  reader->n_chunk_ = n_chunk;
  const auto token_count = static_cast<std::uint64_t>(n_ctx) * static_cast<std::uint64_t>(n_chunk);
  const std::uint64_t row_values = 2 * ((static_cast<std::uint64_t>(n_vocab) + 1) / 2);
  const std::uint64_t row_bytes = 8 + 2 * row_values;
  const auto rows = static_cast<std::uint64_t>(reader->rows());
  const std::string promise = " (the header promises " + std::to_string(n_chunk) + " chunks of " + std::to_string(n_ctx) +
                              " tokens and " + std::to_string(reader->rows_per_chunk()) + " rows of " +
                              std::to_string(n_vocab) + " values per chunk)";
  auto token_position = [&](std::uint64_t k) {
    return "chunk " + std::to_string(k / static_cast<std::uint64_t>(n_ctx)) + ", position " +
           std::to_string(k % static_cast<std::uint64_t>(n_ctx));
  };
  // A regular file's size says at once whether every row is there.
  std::error_code error;
  const bool regular = std::filesystem::is_regular_file(path, error);
  if (regular) {
    const std::uint64_t size = std::filesystem::file_size(path, error);
    if (error) return Error{path + ": cannot read its size: " + error.message()};
    const std::uint64_t after_header = size - kHeaderBytes;
    if (after_header / 4 < token_count) {
      return Error{path + ": truncated: it ends in the header's tokens, at " + token_position(after_header / 4) + promise};
    }
    const std::uint64_t after_tokens = after_header - 4 * token_count;
    if (after_tokens / row_bytes < rows) {
      const auto row = static_cast<std::int64_t>(after_tokens / row_bytes);
      return Error{path + ": truncated: it ends in row " + std::to_string(row) + " (" + reader->position_of(row) +
                   ") of " + std::to_string(rows) + promise};
    }
    if (after_tokens != rows * row_bytes) {
      return Error{path + ": " + std::to_string(after_tokens - rows * row_bytes) + " bytes after the last of its " +
                   std::to_string(rows) + " rows" + promise + ": not a file llama-perplexity wrote, or its header is wrong"};
    }
  }
  // The tokens, read in pieces so that a header promising more than the file
  // holds (a pipe, whose size is unknown) fails at its end, not in an allocation.
  constexpr std::uint64_t kPiece = 1 << 16;
  std::vector<unsigned char> piece;
  while (reader->tokens_.size() < token_count) {
    const std::uint64_t want = std::min<std::uint64_t>(kPiece, token_count - reader->tokens_.size());
    piece.resize(4 * want);
    file.read(reinterpret_cast<char*>(piece.data()), static_cast<std::streamsize>(piece.size()));
    const auto have = static_cast<std::uint64_t>(file.gcount()) / 4;
    for (std::uint64_t i = 0; i < have; ++i) {
      const std::int32_t token = int32_at(piece.data() + 4 * i);
      if (token < 0 || token >= n_vocab) {
        return Error{path + ": the header's token at " + token_position(reader->tokens_.size()) + " is " +
                     std::to_string(token) + ", outside 0 to n_vocab - 1 = " + std::to_string(n_vocab - 1)};
      }
      reader->tokens_.push_back(token);
    }
    if (have < want) {
      return Error{path + ": truncated: it ends in the header's tokens, at " + token_position(reader->tokens_.size()) + promise};
    }
  }
  reader->buffer_.resize(static_cast<std::size_t>(row_bytes));
  reader->values_.resize(static_cast<std::size_t>(n_vocab));
  return reader;
}

std::string LlamaLogitsReader::position_of(std::int64_t row) const {
  const std::int64_t per_chunk = rows_per_chunk();
  return "chunk " + std::to_string(row / per_chunk) + ", position " + std::to_string(n_ctx_ / 2 + row % per_chunk + 1);
}

Expected<bool> LlamaLogitsReader::next(DistributionSpec& spec) {
  if (next_row_ >= rows()) return false;
  const std::string where = path_ + " row " + std::to_string(next_row_) + " (" + position_of(next_row_) + ")";
  file_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (static_cast<std::size_t>(file_.gcount()) != buffer_.size()) {
    return Error{where + ": the file ends inside this row (truncated; the header promises " + std::to_string(rows()) + " rows)"};
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer_.data());
  for (std::size_t i = 0; i < values_.size(); ++i) {
    values_[i] = static_cast<std::uint16_t>(bytes[8 + 2 * i] | bytes[9 + 2 * i] << 8);
  }
  auto decoded = decode_llama_row(float_at(bytes), float_at(bytes + 4), values_.data(), n_vocab_);
  if (!decoded.ok()) return Error{where + ": " + decoded.error()};
  spec = std::move(decoded).value();
  ++next_row_;
  return true;
}

std::optional<Error> check_llama_pair(const LlamaLogitsReader& target, const std::string& target_name,
                                      const LlamaLogitsReader& draft, const std::string& draft_name) {
  if (draft.n_vocab() != target.n_vocab()) {
    return Error{draft_name + ": n_vocab is " + std::to_string(draft.n_vocab()) + " but " + target_name + "'s is " +
                 std::to_string(target.n_vocab()) + ": target and draft must share one tokenizer"};
  }
  if (draft.n_ctx() != target.n_ctx()) {
    return Error{draft_name + ": n_ctx is " + std::to_string(draft.n_ctx()) + " but " + target_name + "'s is " +
                 std::to_string(target.n_ctx()) + ": run llama-perplexity with the same -c for both"};
  }
  if (draft.n_chunk() != target.n_chunk()) {
    return Error{draft_name + ": " + std::to_string(draft.n_chunk()) + " chunks but " + target_name + " has " +
                 std::to_string(target.n_chunk()) + ": run llama-perplexity on the same text with the same -c and --chunks"};
  }
  const auto& a = target.tokens();
  const auto& b = draft.tokens();
  const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (mismatch.first != a.end()) {
    const auto k = static_cast<std::int64_t>(mismatch.first - a.begin());
    return Error{draft_name + ": the token at chunk " + std::to_string(k / target.n_ctx()) + ", position " +
                 std::to_string(k % target.n_ctx()) + " is " + std::to_string(*mismatch.second) + " but " + target_name +
                 "'s is " + std::to_string(*mismatch.first) + ": the two files do not hold the same tokenised text"};
  }
  return std::nullopt;
}

}  // namespace mdsd
