#pragma once
// What protocols, attacks and the runtime record through: typed tables appended during the run
// (only those the scenario asks for are written) and the summary.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/metrics/result_file.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim {

/// Records tables and summary values of one run.
class Recorder {
 public:
  /// file may be null (no output); `record` names the tables to write; `group` is where they go in
  /// the file ("": the root; "ledgers/source" for one ledger of several).
  Recorder(ResultFile* file, std::set<std::string> record, std::string group = "")
      : file_(file), record_(std::move(record)), group_(std::move(group)) {}
  /// Declares a table (or returns the one already declared under that name, so several instances of
  /// an attack share it); returns null when it is not recorded (appending to null is a no-op).
  TableWriter* table(const TableSchema& schema) {
    if (file_ == nullptr || record_.count(schema.name) == 0) return nullptr;
    for (auto& [name, writer] : tables_) {
      if (name == schema.name) return writer;
    }
    TableWriter* writer = &file_->create_table(schema, group_);
    tables_.emplace_back(schema.name, writer);
    return writer;
  }
  /// Appends a row if the table is recorded.
  template <class Row>
  static void append(TableWriter* table, const Row& row) {
    if (table != nullptr) table->append(&row);
  }
  /// Summary values of the run.
  Summary& summary() { return summary_; }
  /// True once writing the result file failed: the run should stop, nothing more can be saved.
  bool failed() const { return file_ != nullptr && file_->failed(); }

 private:
  ResultFile* file_;
  std::set<std::string> record_;
  std::string group_;
  std::vector<std::pair<std::string, TableWriter*>> tables_;
  Summary summary_;
};

}  // namespace dltsim
