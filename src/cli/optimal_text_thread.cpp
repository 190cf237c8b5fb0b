#include "cli/optimal_text_thread.hpp"

#include "api/result_writer.hpp"

#include <exception>

namespace mdsd::cli {

OptimalTextThread::OptimalTextThread(bool wanted) {
  if (!wanted || std::thread::hardware_concurrency() < 2) return;
  try {
    worker_ = std::thread([this] { serve(); });
  } catch (const std::exception&) {  // no thread to be had (std::system_error): written on one
  }
}

OptimalTextThread::~OptimalTextThread() { (void)texts(); }

void OptimalTextThread::post(const MethodResult& entry) {
  if (!worker_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    posted_.push_back(&entry);
  }
  changed_.notify_one();
}

std::vector<std::string> OptimalTextThread::texts() {
  if (!worker_.joinable()) return {};
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_one();
  worker_.join();
  if (failed_) return {};
  return std::move(texts_);
}

void OptimalTextThread::serve() {
  try {
    for (std::size_t next = 0;; ++next) {
      const MethodResult* entry = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return posted_.size() > next || closed_; });
        if (posted_.size() == next) return;  // closed, everything written
        entry = posted_[next];
      }
      // The room taken at once: the text is not copied as it grows.
      std::string& text = texts_.emplace_back();
      text.reserve(method_result_text_bound(*entry));
      write_method_result_text(*entry, text);
    }
  } catch (const std::exception&) {  // std::bad_alloc: the caller writes the texts
    failed_ = true;
  }
}

}  // namespace mdsd::cli
