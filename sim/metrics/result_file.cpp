#include "sim/metrics/result_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace dltsim {

namespace {

// ---- HDF5 error causes ----

struct ErrorWalk {
  int os_errno = 0;       // an "errno = N" found in a description (the sec2 driver writes one)
  std::string innermost;  // the deepest description
};

herr_t collect_error(unsigned, const H5E_error2_t* e, void* data) {
  auto* walk = static_cast<ErrorWalk*>(data);
  if (e->desc == nullptr) return 0;
  walk->innermost = e->desc;
  if (const char* p = std::strstr(e->desc, "errno = "); p != nullptr && walk->os_errno == 0) {
    walk->os_errno = std::atoi(p + 8);
  }
  return 0;
}

// Why the last HDF5 call failed, in words a user can act on ("No space left on device"); clears
// HDF5's error stack.
std::string hdf5_cause() {
  ErrorWalk walk;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &walk);
  H5Eclear2(H5E_DEFAULT);
  if (walk.os_errno != 0) return std::strerror(walk.os_errno);
  if (!walk.innermost.empty()) return walk.innermost;
  return "HDF5 reported an error without a cause";
}

// ---- type helpers (every status checked through WriteStatus) ----

hid_t native_type(const Column& c, WriteStatus& st) {
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
      const hid_t t = H5Tcopy(H5T_C_S1);
      if (!st.ok_id(t, "describing a text column")) return -1;
      st.ok(H5Tset_size(t, c.size), "describing a text column");
      st.ok(H5Tset_strpad(t, H5T_STR_NULLTERM), "describing a text column");
      return t;
    }
  }
  return -1;
}

// No modification times anywhere: they would make two identical runs differ byte-wise.
hid_t untimed_plist(hid_t cls, WriteStatus& st) {
  const hid_t p = H5Pcreate(cls);
  if (st.ok_id(p, "creating a property list")) st.ok(H5Pset_obj_track_times(p, 0), "setting a property");
  return p;
}

hid_t string_type(std::size_t size, WriteStatus& st) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  if (!st.ok_id(t, "creating a string type")) return -1;
  st.ok(H5Tset_size(t, size == 0 ? 1 : size), "creating a string type");
  st.ok(H5Tset_strpad(t, H5T_STR_NULLTERM), "creating a string type");
  return t;
}

// Closes an id of any kind if valid; its status is checked like any other call.
void close_id(hid_t& id, herr_t (*closer)(hid_t), WriteStatus& st, const char* what) {
  if (id < 0) return;
  st.ok(closer(id), what);
  id = -1;
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value, WriteStatus& st) {
  if (st.failed()) return;
  hid_t type = string_type(value.size() + 1, st);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = -1;
  if (st.ok_id(space, "creating a dataspace") && !st.failed()) {
    attr = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (st.ok_id(attr, ("creating attribute " + name).c_str())) {
      std::vector<char> buf(value.size() + 1, '\0');
      std::memcpy(buf.data(), value.data(), value.size());
      st.ok(H5Awrite(attr, type, buf.data()), ("writing attribute " + name).c_str());
    }
  }
  close_id(attr, H5Aclose, st, "closing an attribute");
  close_id(space, H5Sclose, st, "closing a dataspace");
  close_id(type, H5Tclose, st, "closing a type");
}

template <class T>
void write_number_attribute(hid_t obj, const std::string& name, hid_t type, T value, WriteStatus& st) {
  if (st.failed()) return;
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = -1;
  if (st.ok_id(space, "creating a dataspace")) {
    attr = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (st.ok_id(attr, ("creating attribute " + name).c_str())) {
      st.ok(H5Awrite(attr, type, &value), ("writing attribute " + name).c_str());
    }
  }
  close_id(attr, H5Aclose, st, "closing an attribute");
  close_id(space, H5Sclose, st, "closing a dataspace");
}

// ---- file names ----

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw OutputError(fmt::format("cannot draw a random temporary file name: {}", std::strerror(errno)));
    }
    got += static_cast<std::size_t>(n);
  }
  std::string s;
  for (unsigned char c : raw) s += fmt::format("{:02x}", c);
  return s;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Makes a rename durable; best effort (a directory that cannot be synced still holds the file).
void sync_directory(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

// ---- WriteStatus ----

void WriteStatus::fail(const std::string& what) {
  fail(what, hdf5_cause());
}

void WriteStatus::fail(const std::string& what, const std::string& cause) {
  if (error_.empty()) error_ = what + ": " + cause;
}

bool WriteStatus::ok(herr_t status, const char* what) {
  if (status >= 0) return true;
  fail(what);
  return false;
}

bool WriteStatus::ok_id(hid_t id, const char* what) {
  if (id >= 0) return true;
  fail(what);
  return false;
}

// ---- TableWriter ----

TableWriter::TableWriter(hid_t file, const TableSchema& schema, WriteStatus& status)
    : schema_(schema), status_(status) {
  chunk_rows_ = std::max<std::size_t>(1024, (256 * 1024) / schema.row_size);
  buffer_.assign(chunk_rows_ * schema.row_size, 0);
  if (status_.failed()) return;
  WriteStatus& st = status_;
  const std::string what = "creating table " + schema.name;
  mem_type_ = H5Tcreate(H5T_COMPOUND, schema.row_size);
  if (!st.ok_id(mem_type_, what.c_str())) return;
  for (const Column& c : schema.columns) {
    hid_t t = native_type(c, st);
    if (!st.ok_id(t, what.c_str())) return;
    st.ok(H5Tinsert(mem_type_, c.name.c_str(), c.offset, t), what.c_str());
    close_id(t, H5Tclose, st, "closing a type");
  }
  // The file type is packed: no padding bytes on disk, whatever the struct layout.
  hid_t file_type = H5Tcopy(mem_type_);
  if (st.ok_id(file_type, what.c_str())) st.ok(H5Tpack(file_type), what.c_str());
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  const hsize_t chunk[1] = {chunk_rows_};
  hid_t space = H5Screate_simple(1, dims, max_dims);
  st.ok_id(space, what.c_str());
  hid_t dcpl = untimed_plist(H5P_DATASET_CREATE, st);
  if (!st.failed()) {
    st.ok(H5Pset_chunk(dcpl, 1, chunk), what.c_str());
    st.ok(H5Pset_shuffle(dcpl), what.c_str());
    st.ok(H5Pset_deflate(dcpl, 4), what.c_str());
  }
  if (!st.failed()) {
    const hid_t d = H5Dcreate2(file, schema.name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (st.ok_id(d, what.c_str())) dataset_ = d;
  }
  close_id(dcpl, H5Pclose, st, "closing a property list");
  close_id(space, H5Sclose, st, "closing a dataspace");
  close_id(file_type, H5Tclose, st, "closing a type");
  if (dataset_ < 0) return;
  write_string_attribute(dataset_, "doc", schema.doc, st);
  for (const Column& c : schema.columns) {
    if (!c.unit.empty()) write_string_attribute(dataset_, c.name + ".unit", c.unit, st);
    write_string_attribute(dataset_, c.name + ".doc", c.doc, st);
  }
}

TableWriter::~TableWriter() {
  close();
}

void TableWriter::append(const void* row) {
  if (!usable()) return;  // the file already failed: the run is stopping, rows are dropped
  std::memcpy(buffer_.data() + buffered_ * schema_.row_size, row, schema_.row_size);
  if (++buffered_ == chunk_rows_) flush();
}

void TableWriter::flush() {
  if (buffered_ == 0 || !usable()) return;
  WriteStatus& st = status_;
  const std::string what = "writing table " + schema_.name;
  const hsize_t new_size[1] = {written_ + buffered_};
  if (st.ok(H5Dset_extent(dataset_, new_size), what.c_str())) {
    hid_t file_space = H5Dget_space(dataset_);
    const hsize_t start[1] = {written_};
    const hsize_t count[1] = {buffered_};
    hid_t mem_space = H5Screate_simple(1, count, nullptr);
    if (st.ok_id(file_space, what.c_str()) && st.ok_id(mem_space, what.c_str()) &&
        st.ok(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
              what.c_str())) {
      st.ok(H5Dwrite(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()), what.c_str());
    }
    close_id(mem_space, H5Sclose, st, "closing a dataspace");
    close_id(file_space, H5Sclose, st, "closing a dataspace");
  }
  written_ += buffered_;
  buffered_ = 0;
  std::fill(buffer_.begin(), buffer_.end(), 0);
}

void TableWriter::rewrite(
    const std::function<void(std::uint64_t first_row, unsigned char* rows, std::size_t count)>& fn) {
  flush();
  WriteStatus& st = status_;
  const std::string what = "rewriting table " + schema_.name;
  for (std::uint64_t first = 0; first < written_ && usable(); first += chunk_rows_) {
    const hsize_t count[1] = {std::min<hsize_t>(chunk_rows_, written_ - first)};
    const hsize_t start[1] = {first};
    hid_t file_space = H5Dget_space(dataset_);
    hid_t mem_space = H5Screate_simple(1, count, nullptr);
    std::fill(buffer_.begin(), buffer_.end(), 0);
    if (st.ok_id(file_space, what.c_str()) && st.ok_id(mem_space, what.c_str()) &&
        st.ok(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
              what.c_str()) &&
        st.ok(H5Dread(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()),
              what.c_str())) {
      fn(first, buffer_.data(), count[0]);
      st.ok(H5Dwrite(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, buffer_.data()), what.c_str());
    }
    close_id(mem_space, H5Sclose, st, "closing a dataspace");
    close_id(file_space, H5Sclose, st, "closing a dataspace");
  }
  std::fill(buffer_.begin(), buffer_.end(), 0);
}

void TableWriter::close() {
  flush();
  close_id(dataset_, H5Dclose, status_, ("closing table " + schema_.name).c_str());
  close_id(mem_type_, H5Tclose, status_, "closing a type");
}

// ---- ResultFile ----

std::string incomplete_path(const std::string& final_path) {
  const std::string ext = ".h5";
  if (final_path.size() > ext.size() &&
      final_path.compare(final_path.size() - ext.size(), ext.size(), ext) == 0) {
    return final_path.substr(0, final_path.size() - ext.size()) + ".incomplete.h5";
  }
  return final_path + ".incomplete";
}

ResultFile::ResultFile(std::string final_path) : final_path_(std::move(final_path)) {
  // HDF5 1.10 crashes in its exit handler (H5F__close_cb) on a file whose close failed, as it does
  // on a full disk: the file is reported and removed by us, so HDF5 gets no exit handler. This must
  // be the process's first HDF5 call; later calls (a second file) leave the setting as it is.
  static const bool no_exit_handler = H5dont_atexit() >= 0;
  (void)no_exit_handler;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report errors ourselves
  WriteStatus& st = status_;
  hid_t fcpl = untimed_plist(H5P_FILE_CREATE, st);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (st.ok_id(fapl, "creating a property list")) {
    st.ok(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "setting a property");
    // The temporary file is private to this process: no lock needed, and none taken works on file
    // systems without flock (NFS, Lustre on clusters).
    st.ok(H5Pset_file_locking(fapl, false, true), "setting a property");
  }
  // A fresh random name, created exclusively (O_CREAT|O_EXCL: an existing file or a symlink
  // planted under that name makes it fail, it is never followed); retried on a name collision.
  for (int attempt = 0; attempt < 16 && !st.failed() && file_ < 0; ++attempt) {
    temp_path_ = final_path_ + "." + random_hex(8) + ".partial";
    file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_EXCL, fcpl, fapl);
    if (file_ < 0) {
      const std::string cause = hdf5_cause();
      if (cause != std::strerror(EEXIST)) st.fail("creating the temporary file " + temp_path_, cause);
    }
  }
  if (file_ < 0 && !st.failed()) st.fail("creating a temporary file", "every name tried exists already");
  close_id(fapl, H5Pclose, st, "closing a property list");
  close_id(fcpl, H5Pclose, st, "closing a property list");
  if (st.failed()) {
    close_all();
    if (file_ >= 0 || !temp_path_.empty()) std::remove(temp_path_.c_str());
    // Where the result can go was checked before the run (output_path.hpp): what fails here is the
    // file system itself (full, read-only, permissions changed meanwhile).
    throw Error(fmt::format("cannot create the result file '{}': {}", final_path_, st.error()));
  }
}

ResultFile::~ResultFile() {
  if (finished_) return;
  close_all();
  // Neither committed nor abandoned (an error stopped the run): leave nothing.
  std::remove(temp_path_.c_str());
}

TableWriter& ResultFile::create_table(const TableSchema& schema, const std::string& group_name) {
  const hid_t where = group_name.empty() ? file_ : group(group_name);
  tables_.push_back(std::make_unique<TableWriter>(where, schema, status_));
  return *tables_.back();
}

hid_t ResultFile::group(const std::string& name) {
  for (const auto& [n, id] : groups_) {
    if (n == name) return id;
  }
  hid_t gcpl = untimed_plist(H5P_GROUP_CREATE, status_);
  // A nested name ("ledgers/source/summary") creates its parents; a plain one keeps the default list.
  hid_t lcpl = H5P_DEFAULT;
  if (name.find('/') != std::string::npos) {
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (status_.ok_id(lcpl, "creating a property list"))
      status_.ok(H5Pset_create_intermediate_group(lcpl, 1), "creating a property list");
  }
  hid_t g = -1;
  if (!status_.failed()) {
    g = H5Gcreate2(file_, name.c_str(), lcpl, gcpl, H5P_DEFAULT);
    if (!status_.ok_id(g, ("creating group " + name).c_str())) g = -1;
  }
  close_id(gcpl, H5Pclose, status_, "closing a property list");
  if (lcpl != H5P_DEFAULT) close_id(lcpl, H5Pclose, status_, "closing a property list");
  if (g >= 0) groups_.emplace_back(name, g);
  return g;
}

void ResultFile::write_attributes(const std::string& group_name, const Summary& values) {
  if (status_.failed()) return;
  const hid_t g = group(group_name);
  if (g < 0) return;
  for (const SummaryEntry& e : values.entries()) {
    if (const auto* d = std::get_if<double>(&e.value)) {
      write_number_attribute(g, e.name, H5T_NATIVE_DOUBLE, *d, status_);
    } else if (const auto* u = std::get_if<std::uint64_t>(&e.value)) {
      write_number_attribute(g, e.name, H5T_NATIVE_UINT64, *u, status_);
    } else if (const auto* i = std::get_if<std::int64_t>(&e.value)) {
      write_number_attribute(g, e.name, H5T_NATIVE_INT64, *i, status_);
    } else {
      write_string_attribute(g, e.name, std::get<std::string>(e.value), status_);
    }
    // Described like table columns: <name>.unit, <name>.doc, and <name>.note for an undefined value.
    if (!e.unit.empty()) write_string_attribute(g, e.name + ".unit", e.unit, status_);
    if (!e.doc.empty()) write_string_attribute(g, e.name + ".doc", e.doc, status_);
    if (!e.note.empty()) write_string_attribute(g, e.name + ".note", e.note, status_);
    if (e.support != Support::real)
      write_string_attribute(g, e.name + ".support", support_name(e.support), status_);
  }
}

void ResultFile::write_text(const std::string& group_name, const std::string& name, const std::string& text) {
  if (status_.failed()) return;
  const hid_t g = group(group_name);
  if (g < 0) return;
  WriteStatus& st = status_;
  const std::string what = "writing " + group_name + "/" + name;
  hid_t type = string_type(text.size() + 1, st);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t dcpl = untimed_plist(H5P_DATASET_CREATE, st);
  hid_t d = -1;
  if (st.ok_id(space, what.c_str()) && !st.failed()) {
    d = H5Dcreate2(g, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (st.ok_id(d, what.c_str())) {
      std::vector<char> buf(text.size() + 1, '\0');
      std::memcpy(buf.data(), text.data(), text.size());
      st.ok(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), what.c_str());
    }
  }
  close_id(d, H5Dclose, st, "closing a dataset");
  close_id(dcpl, H5Pclose, st, "closing a property list");
  close_id(space, H5Sclose, st, "closing a dataspace");
  close_id(type, H5Tclose, st, "closing a type");
}

void ResultFile::close_all() {
  for (auto& t : tables_) t->close();
  tables_.clear();
  for (auto& [n, id] : groups_) close_id(id, H5Gclose, status_, "closing a group");
  groups_.clear();
  if (file_ < 0) return;
  if (!status_.failed()) {
    // Data reaches the disk before the rename makes it a result: a write error that the kernel
    // reports only on sync (delayed allocation, network file systems) is caught here.
    if (status_.ok(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flushing the file")) {
      void* handle = nullptr;
      if (status_.ok(H5Fget_vfd_handle(file_, H5P_DEFAULT, &handle), "syncing the file") &&
          handle != nullptr && ::fsync(*static_cast<int*>(handle)) != 0) {
        status_.fail("syncing the file", std::strerror(errno));
      }
    }
  }
  status_.ok(H5Fclose(file_), "closing the file");
  file_ = -1;
}

std::string ResultFile::finish(const std::string& destination) {
  finished_ = true;
  close_all();
  if (!status_.failed() && std::rename(temp_path_.c_str(), destination.c_str()) != 0) {
    status_.fail("renaming " + temp_path_ + " to " + destination, std::strerror(errno));
  }
  if (status_.failed()) {
    std::remove(temp_path_.c_str());
    throw OutputError(
        fmt::format("cannot write the result file '{}' ({}); nothing was written under that name",
                    destination, status_.error()));
  }
  sync_directory(destination);
  return destination;
}

std::string ResultFile::commit() {
  const std::string path = finish(final_path_);
  // An incomplete file of an earlier, interrupted run of the same output is superseded by this
  // complete one (a directory or device under that name is refused before the run starts).
  const std::string stale = incomplete_path(final_path_);
  struct stat info {};
  if (::lstat(stale.c_str(), &info) == 0 && (S_ISREG(info.st_mode) || S_ISLNK(info.st_mode))) {
    ::unlink(stale.c_str());
  }
  return path;
}

std::string ResultFile::abandon() {
  return finish(incomplete_path(final_path_));
}

}  // namespace dltsim
