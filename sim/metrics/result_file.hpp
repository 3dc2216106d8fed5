#pragma once
// The HDF5 result file of one run (HDF5 C API). Written under a temporary name and renamed when the
// run completes, so a half-written file never carries the name of a result. Byte-reproducible:
// no timestamps (object time tracking off), zero-initialised rows, fixed write order.

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/metrics/summary.hpp"
#include "sim/metrics/table_schema.hpp"

namespace dltsim {

/// Appends rows to one chunked, compressed HDF5 table; buffers one chunk in memory.
class TableWriter {
 public:
  /// Creates dataset /<schema.name> in file.
  TableWriter(hid_t file, const TableSchema& schema);
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;
  /// Appends one row (a pointer to a struct of schema.row_size bytes).
  void append(const void* row);
  /// Writes buffered rows to the file.
  void flush();
  /// Rows appended so far.
  std::uint64_t rows() const { return written_ + buffered_; }
  /// Reads rows back chunk by chunk, lets fn modify them, and writes them again
  /// (for columns known only at the end of a run, such as "on main chain").
  void rewrite(
      const std::function<void(std::uint64_t first_row, unsigned char* rows, std::size_t count)>& fn);
  /// The table's schema.
  const TableSchema& schema() const { return schema_; }
  /// Releases HDF5 handles (flushes first).
  void close();

 private:
  TableSchema schema_;
  hid_t dataset_ = -1;
  hid_t mem_type_ = -1;
  std::size_t chunk_rows_;
  std::vector<unsigned char> buffer_;
  std::size_t buffered_ = 0;
  std::uint64_t written_ = 0;
};

/// One result file.
class ResultFile {
 public:
  /// Creates "<final_path>.partial"; throws Error if it cannot be created.
  explicit ResultFile(std::string final_path);
  /// Closes handles; a file neither committed nor abandoned (an error before the run) is removed.
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  /// Creates a table.
  TableWriter& create_table(const TableSchema& schema);
  /// Writes the values as attributes of group `group` (created if needed).
  void write_attributes(const std::string& group, const Summary& values);
  /// Writes a text as a scalar string dataset `group/name` (texts may exceed attribute size limits).
  void write_text(const std::string& group, const std::string& name, const std::string& text);
  /// Flushes, closes and renames to the final path; returns it.
  std::string commit();
  /// Flushes, closes and renames to the "incomplete" path ("x.h5" -> "x.incomplete.h5"); returns it.
  std::string abandon();
  /// Where the file is while being written.
  const std::string& temp_path() const { return temp_path_; }
  /// Where a complete run puts it.
  const std::string& final_path() const { return final_path_; }

 private:
  hid_t group(const std::string& name);
  void close_all();
  std::string final_path_;
  std::string temp_path_;
  hid_t file_ = -1;
  bool finished_ = false;
  std::vector<std::unique_ptr<TableWriter>> tables_;
  std::vector<std::pair<std::string, hid_t>> groups_;
};

/// "x.h5" -> "x.incomplete.h5"; other names get ".incomplete" appended.
std::string incomplete_path(const std::string& final_path);

}  // namespace dltsim
