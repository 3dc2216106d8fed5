#pragma once
// Time-ordered queue of the runtime's events. Ties on time are broken by insertion order, so the
// order of simultaneous events depends only on the simulation itself (never on addresses).

#include <cstdint>
#include <queue>
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

/// Min-heap of events by (time, insertion order).
class EventQueue {
 public:
  /// Adds an event; returns its sequence number.
  std::uint64_t push(double time_s, EventKind kind, std::uint32_t node, std::uint64_t data) {
    const std::uint64_t seq = next_seq_++;
    heap_.push(Event{time_s, seq, data, node, kind});
    return seq;
  }
  /// True if no event is pending.
  bool empty() const { return heap_.empty(); }
  /// Number of pending events.
  std::size_t size() const { return heap_.size(); }
  /// Earliest event.
  const Event& top() const { return heap_.top(); }
  /// Removes and returns the earliest event.
  Event pop() {
    Event e = heap_.top();
    heap_.pop();
    return e;
  }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_s > b.time_s || (a.time_s == b.time_s && a.seq > b.seq);
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace dltsim
