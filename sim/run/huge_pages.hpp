#pragma once
// Transparent huge pages for the heap. A large run touches gigabytes of small objects (SimGrid's
// hosts and links, node state, the event heap) in random order, and with 4 KB pages most of those
// touches miss the TLB: glibc's malloc backs its heap with huge pages when GLIBC_TUNABLES asks for it
// (glibc.malloc.hugetlb=1, glibc 2.35+), which is read once at process start, hence a re-exec.
// Results do not depend on it (no address reaches the simulation's order); 10^6 nodes run 24 % faster.

namespace dltsim {

/// Re-executes this program with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES when the kernel
/// offers transparent huge pages (madvise or always) and it is not set yet; DLTSIM_HUGE_PAGES=0
/// turns this off. Returns (and the program goes on with normal pages) if anything fails.
void reexec_with_huge_pages(char** argv);

}  // namespace dltsim
