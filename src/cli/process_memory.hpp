// How a command that holds one large request sets up its process's heap.
#pragma once

namespace mdsd::cli {

// Blocks up to 32 MiB from the heap, freed memory kept for reuse, and the
// heap reserved in one piece backed by transparent huge pages where the
// kernel offers them (madvise mode). Call before the first large allocation.
void prepare_heap_for_large_request();

}  // namespace mdsd::cli
