#pragma once
// Time-ordered queue of the runtime's events. Ties on time are broken by insertion order, so the
// order of simultaneous events depends only on the simulation itself (never on addresses).

#include <cstdint>
#include <vector>

namespace dltsim {

/// What an event does when its time comes.
enum class EventKind : std::uint8_t { deliver, timer, callback };

/// One scheduled event; `data` is interpreted by kind (message slot, timer tag, callback slot).
struct Event {
  double time_s;       ///< when
  std::uint64_t seq;   ///< insertion number: tie-break and timer id
  std::uint64_t data;  ///< kind-specific
  std::uint32_t node;  ///< node concerned (deliver, timer)
  EventKind kind;      ///< what to do
};

/// Min-heap of events by (time, insertion order). A 4-ary heap: half the depth of a binary one and
/// a node's children side by side in memory, so a pop at 10^6 pending events touches fewer cache
/// lines. (time, sequence) is a total order, so the pop order is the same as any other heap's.
class EventQueue {
 public:
  /// Adds an event; returns its sequence number.
  std::uint64_t push(double time_s, EventKind kind, std::uint32_t node, std::uint64_t data) {
    const std::uint64_t seq = next_seq_++;
    heap_.push_back(Event{time_s, seq, data, node, kind});
    sift_up(heap_.size() - 1);
    return seq;
  }
  /// True if no event is pending.
  bool empty() const { return heap_.empty(); }
  /// Number of pending events.
  std::size_t size() const { return heap_.size(); }
  /// Earliest event.
  const Event& top() const { return heap_.front(); }
  /// Removes and returns the earliest event.
  Event pop() {
    Event e = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return e;
  }

 private:
  static constexpr std::size_t kArity = 4;
  static bool earlier(const Event& a, const Event& b) {
    return a.time_s < b.time_s || (a.time_s == b.time_s && a.seq < b.seq);
  }
  void sift_up(std::size_t i) {
    const Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!earlier(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void sift_down(std::size_t i) {
    const Event e = heap_[i];
    const std::size_t n = heap_.size();
    while (true) {
      const std::size_t first = i * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (earlier(heap_[c], heap_[best])) best = c;
      }
      if (!earlier(heap_[best], e)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace dltsim
