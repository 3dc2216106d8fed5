#pragma once
// The HDF5 result file of one run (HDF5 C API). Written under a private temporary name (unique,
// created with O_CREAT|O_EXCL in the target directory, so it never follows a planted symlink) and
// renamed when the run completes, so a file under its final name is always a complete result of
// the run that names it. Every HDF5 call is checked; the first failure (a full disk, an I/O error)
// is kept, later writes are skipped, and commit() or abandon() then removes the temporary file and
// throws OutputError naming the path and the cause. Byte-reproducible: no timestamps (object time
// tracking off), zero-initialised rows, fixed write order.

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/metrics/table_schema.hpp"

namespace dltsim {

/// The result could not be written (disk full, I/O error, rename failed); nothing is left under
/// the final name.
class OutputError : public Error {
 public:
  using Error::Error;
};

/// The first write error of one file; shared by the file and its tables.
class WriteStatus {
 public:
  /// True once a call failed.
  bool failed() const { return !error_.empty(); }
  /// What failed and why ("writing table arrivals: No space left on device"), "" if nothing did.
  const std::string& error() const { return error_; }
  /// Records a failure of `what` (the first one wins); the cause comes from HDF5's error stack.
  void fail(const std::string& what);
  /// Records a failure with a known cause.
  void fail(const std::string& what, const std::string& cause);
  /// True if status is a success; records a failure otherwise.
  bool ok(herr_t status, const char* what);
  /// True if id is valid; records a failure otherwise.
  bool ok_id(hid_t id, const char* what);

 private:
  std::string error_;
};

/// Appends rows to one chunked, compressed HDF5 table; buffers one chunk in memory. Never throws
/// on a write error: it records it in the file's WriteStatus and drops further rows.
class TableWriter {
 public:
  /// Creates dataset /<schema.name> in file.
  TableWriter(hid_t file, const TableSchema& schema, WriteStatus& status);
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
  bool usable() const { return dataset_ >= 0 && !status_.failed(); }
  TableSchema schema_;
  WriteStatus& status_;
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
  /// Creates a private temporary file beside final_path; throws Error if it cannot.
  explicit ResultFile(std::string final_path);
  /// Closes handles and removes the temporary file unless it was committed or abandoned.
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  /// Creates a table at the root, or in `group` ("ledgers/source": created with its parents if needed).
  TableWriter& create_table(const TableSchema& schema, const std::string& group = "");
  /// Writes the values as attributes of group `group` (created if needed).
  void write_attributes(const std::string& group, const Summary& values);
  /// Writes a text as a scalar string dataset `group/name` (texts may exceed attribute size limits).
  void write_text(const std::string& group, const std::string& name, const std::string& text);
  /// True once a write failed (the run should stop: nothing more can be saved).
  bool failed() const { return status_.failed(); }
  /// Flushes, syncs, closes and renames to the final path; removes a stale incomplete file of an
  /// earlier run; returns the final path. Throws OutputError (and leaves nothing) on failure.
  std::string commit();
  /// Flushes, syncs, closes and renames to the "incomplete" path ("x.h5" -> "x.incomplete.h5");
  /// returns it. Throws OutputError (and leaves nothing) on failure.
  std::string abandon();
  /// Where the file is while being written.
  const std::string& temp_path() const { return temp_path_; }
  /// Where a complete run puts it.
  const std::string& final_path() const { return final_path_; }

 private:
  hid_t group(const std::string& name);
  void close_all();
  std::string finish(const std::string& destination);
  std::string final_path_;
  std::string temp_path_;
  hid_t file_ = -1;
  bool finished_ = false;
  WriteStatus status_;
  std::vector<std::unique_ptr<TableWriter>> tables_;
  std::vector<std::pair<std::string, hid_t>> groups_;
};

/// "x.h5" -> "x.incomplete.h5"; other names get ".incomplete" appended.
std::string incomplete_path(const std::string& final_path);

}  // namespace dltsim
