#include "sim/metrics/result_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace dltsim {

namespace {

void check(herr_t status, const char* what) {
  if (status < 0) throw Error(fmt::format("HDF5 error while {}", what));
}

hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) throw Error("HDF5 error while " + what);
  return id;
}

hid_t native_type(const Column& c) {
  switch (c.type) {
    case ColumnType::u8:
      return H5Tcopy(H5T_NATIVE_UINT8);
    case ColumnType::u16:
      return H5Tcopy(H5T_NATIVE_UINT16);
    case ColumnType::u32:
      return H5Tcopy(H5T_NATIVE_UINT32);
    case ColumnType::u64:
      return H5Tcopy(H5T_NATIVE_UINT64);
    case ColumnType::i32:
      return H5Tcopy(H5T_NATIVE_INT32);
    case ColumnType::i64:
      return H5Tcopy(H5T_NATIVE_INT64);
    case ColumnType::f32:
      return H5Tcopy(H5T_NATIVE_FLOAT);
    case ColumnType::f64:
      return H5Tcopy(H5T_NATIVE_DOUBLE);
    case ColumnType::text: {
      hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, c.size);
      H5Tset_strpad(t, H5T_STR_NULLTERM);
      return t;
    }
  }
  return -1;
}

// No modification times anywhere: they would make two identical runs differ byte-wise.
hid_t untimed_plist(hid_t cls) {
  const hid_t p = H5Pcreate(cls);
  H5Pset_obj_track_times(p, 0);
  return p;
}

hid_t string_type(std::size_t size) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, size == 0 ? 1 : size);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  return t;
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  const hid_t type = string_type(value.size() + 1);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = check_id(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                              "creating attribute " + name);
  std::vector<char> buf(value.size() + 1, '\0');
  std::memcpy(buf.data(), value.data(), value.size());
  check(H5Awrite(attr, type, buf.data()), "writing an attribute");
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

template <class T>
void write_number_attribute(hid_t obj, const std::string& name, hid_t type, T value) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = check_id(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                              "creating attribute " + name);
  check(H5Awrite(attr, type, &value), "writing an attribute");
  H5Aclose(attr);
  H5Sclose(space);
}

}  // namespace

TableWriter::TableWriter(hid_t file, const TableSchema& schema) : schema_(schema) {
  mem_type_ = H5Tcreate(H5T_COMPOUND, schema.row_size);
  for (const Column& c : schema.columns) {
    const hid_t t = native_type(c);
    check(H5Tinsert(mem_type_, c.name.c_str(), c.offset, t), "describing a table column");
    H5Tclose(t);
  }
  // The file type is packed: no padding bytes on disk, whatever the struct layout.
  const hid_t file_type = H5Tcopy(mem_type_);
  H5Tpack(file_type);

  chunk_rows_ = std::max<std::size_t>(1024, (256 * 1024) / schema.row_size);
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  const hsize_t chunk[1] = {chunk_rows_};
  const hid_t space = H5Screate_simple(1, dims, max_dims);
  const hid_t dcpl = untimed_plist(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 1, chunk);
  H5Pset_shuffle(dcpl);
  H5Pset_deflate(dcpl, 4);
  dataset_ = check_id(H5Dcreate2(file, schema.name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "creating table " + schema.name);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Tclose(file_type);

  write_string_attribute(dataset_, "doc", schema.doc);
  for (const Column& c : schema.columns) {
    if (!c.unit.empty()) write_string_attribute(dataset_, c.name + ".unit", c.unit);
    write_string_attribute(dataset_, c.name + ".doc", c.doc);
  }
  buffer_.assign(chunk_rows_ * schema.row_size, 0);
}

TableWriter::~TableWriter() {
  try {
    close();
  } catch (...) {  // destructors must not throw; close() already reported through the normal path
  }
}

void TableWriter::append(const void* row) {
  std::memcpy(buffer_.data() + buffered_ * schema_.row_size, row, schema_.row_size);
  if (++buffered_ == chunk_rows_) flush();
}

void TableWriter::flush() {
  if (buffered_ == 0 || dataset_ < 0) return;
  const hsize_t new_size[1] = {written_ + buffered_};
  check(H5Dset_extent(dataset_, new_size), "extending a table");
  const hid_t file_space = H5Dget_space(dataset_);
  const hsize_t start[1] = {written_};
  const hsize_t count[1] = {buffered_};
  H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
  const hid_t mem_space = H5Screate_simple(1, count, nullptr);
  check(H5Dwrite(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()),
        "writing table rows");
  H5Sclose(mem_space);
  H5Sclose(file_space);
  written_ += buffered_;
  buffered_ = 0;
  std::fill(buffer_.begin(), buffer_.end(), 0);
}

void TableWriter::rewrite(
    const std::function<void(std::uint64_t first_row, unsigned char* rows, std::size_t count)>& fn) {
  flush();
  for (std::uint64_t first = 0; first < written_; first += chunk_rows_) {
    const hsize_t count[1] = {std::min<hsize_t>(chunk_rows_, written_ - first)};
    const hsize_t start[1] = {first};
    const hid_t file_space = H5Dget_space(dataset_);
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t mem_space = H5Screate_simple(1, count, nullptr);
    std::fill(buffer_.begin(), buffer_.end(), 0);
    check(H5Dread(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()), "reading rows");
    fn(first, buffer_.data(), count[0]);
    check(H5Dwrite(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()),
          "rewriting rows");
    H5Sclose(mem_space);
    H5Sclose(file_space);
  }
  std::fill(buffer_.begin(), buffer_.end(), 0);
}

void TableWriter::close() {
  if (dataset_ < 0) return;
  flush();
  H5Dclose(dataset_);
  H5Tclose(mem_type_);
  dataset_ = -1;
}

std::string incomplete_path(const std::string& final_path) {
  const std::string ext = ".h5";
  if (final_path.size() > ext.size() &&
      final_path.compare(final_path.size() - ext.size(), ext.size(), ext) == 0) {
    return final_path.substr(0, final_path.size() - ext.size()) + ".incomplete.h5";
  }
  return final_path + ".incomplete";
}

ResultFile::ResultFile(std::string final_path)
    : final_path_(std::move(final_path)), temp_path_(final_path_ + ".partial") {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report errors ourselves
  const hid_t fcpl = untimed_plist(H5P_FILE_CREATE);
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fapl);
  H5Pclose(fcpl);
  if (file_ < 0) {
    throw Error(fmt::format("cannot create output file '{}' (does its directory exist and is it writable?)",
                            temp_path_));
  }
}

ResultFile::~ResultFile() {
  close_all();
  // Neither committed nor abandoned: the run failed before it started (bad input); leave nothing.
  if (!finished_) std::remove(temp_path_.c_str());
}

TableWriter& ResultFile::create_table(const TableSchema& schema) {
  tables_.push_back(std::make_unique<TableWriter>(file_, schema));
  return *tables_.back();
}

hid_t ResultFile::group(const std::string& name) {
  for (const auto& [n, id] : groups_) {
    if (n == name) return id;
  }
  const hid_t gcpl = untimed_plist(H5P_GROUP_CREATE);
  const hid_t g =
      check_id(H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT), "creating group " + name);
  H5Pclose(gcpl);
  groups_.emplace_back(name, g);
  return g;
}

void ResultFile::write_attributes(const std::string& group_name, const Summary& values) {
  const hid_t g = group(group_name);
  for (const auto& [name, value] : values.entries()) {
    if (const auto* d = std::get_if<double>(&value)) {
      write_number_attribute(g, name, H5T_NATIVE_DOUBLE, *d);
    } else if (const auto* u = std::get_if<std::uint64_t>(&value)) {
      write_number_attribute(g, name, H5T_NATIVE_UINT64, *u);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      write_number_attribute(g, name, H5T_NATIVE_INT64, *i);
    } else {
      write_string_attribute(g, name, std::get<std::string>(value));
    }
  }
}

void ResultFile::write_text(const std::string& group_name, const std::string& name, const std::string& text) {
  const hid_t g = group(group_name);
  const hid_t type = string_type(text.size() + 1);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t dcpl = untimed_plist(H5P_DATASET_CREATE);
  const hid_t d = check_id(H5Dcreate2(g, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                           "creating text " + name);
  std::vector<char> buf(text.size() + 1, '\0');
  std::memcpy(buf.data(), text.data(), text.size());
  check(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "writing a text dataset");
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Tclose(type);
}

void ResultFile::close_all() {
  for (auto& t : tables_) t->close();
  tables_.clear();
  for (const auto& [n, id] : groups_) H5Gclose(id);
  groups_.clear();
  if (file_ >= 0) {
    H5Fclose(file_);
    file_ = -1;
  }
}

static void rename_or_throw(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw Error(fmt::format("cannot rename '{}' to '{}': {}", from, to, std::strerror(errno)));
  }
}

std::string ResultFile::commit() {
  finished_ = true;
  close_all();
  rename_or_throw(temp_path_, final_path_);
  return final_path_;
}

std::string ResultFile::abandon() {
  finished_ = true;
  close_all();
  const std::string path = incomplete_path(final_path_);
  rename_or_throw(temp_path_, path);
  return path;
}

}  // namespace dltsim
