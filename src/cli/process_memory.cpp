#include "cli/process_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace mdsd::cli {
namespace {
// Kept to the end, see below. Volatile: GCC removed the malloc whose
// result was only stored here, never read, and the heap's first 2 MiB stayed
// in small pages (445 faults at V = 152,064).
void* volatile below_huge_pages = nullptr;
}  // namespace

void prepare_heap_for_large_request() {
  // The vectors of one large request are allocated and freed many times,
  // and each fresh mapping costs its page faults again (5 ms of 70 at
  // V = 152,064; README "Whole process"). The peak is unchanged.
  constexpr std::size_t kLargestFromHeap = std::size_t{32} << 20;  // glibc's maximum
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargestFromHeap));
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // Every thread allocates here too: the thread that writes the method texts
  // (optimal_text_thread.hpp) took 1.6 ms for an 870 KB text in an arena of
  // its own (fresh small pages), 0.5 ms in this heap.
  mallopt(M_ARENA_MAX, 1);
  // A fresh 4 KiB page costs a fault of about 1.4 us on this kind of
  // machine, a 2 MiB huge page about 0.2 ms to zero: the 9 MB that a
  // 152,064-token request touches took 3 ms in faults. So the heap grows
  // now, in one step of 30 MiB (address space: untouched pages cost
  // nothing), asks for transparent huge pages (used when the kernel's mode
  // is madvise or always), and later allocations come from them. Growing
  // in one step matters: brk does not carry the advice to an extension.
  constexpr std::size_t kHugePage = std::size_t{2} << 20, kStep = std::size_t{30} << 20;
  constexpr int kDefaultTopPad = 128 << 10;
  // No padding while growing: the top chunk's header then lies in the last,
  // partial huge page, outside the advised range (a huge page with one small
  // page already touched would stay small pages).
  mallopt(M_TOP_PAD, 0);
  void* probe = std::malloc(kStep);
  mallopt(M_TOP_PAD, kDefaultTopPad);
  if (!probe) return;
  const auto at = reinterpret_cast<std::uintptr_t>(probe);
  const auto begin = (at + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0)) & ~(kHugePage - 1);
  const bool advised = end > begin && ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
  std::free(probe);  // back into the heap's top, not trimmed
  if (!advised) return;
  // The heap below the first huge page stays in small pages: a block that
  // is kept to the end takes it (address space only, never touched), so
  // that what is allocated next starts at the first huge page.
  constexpr std::size_t kChunkHeader = 2 * sizeof(std::size_t);
  if (begin - at > 2 * kChunkHeader) below_huge_pages = std::malloc(begin - at - kChunkHeader);
}

}  // namespace mdsd::cli
