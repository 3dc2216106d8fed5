// Fault injection for the output tests, loaded with LD_PRELOAD: counts the calls that create,
// write, sync, truncate, rename or close a regular file open for writing, and makes call number
// DLTSIM_FAIL_AT fail (ENOSPC for writes, EIO for the others), so a test can fail every I/O call of
// a run in turn. With DLTSIM_COUNT_FILE set, the number of calls seen is written there at exit.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long calls = 0;

static int should_fail(void) {
  static long fail_at = -2;
  if (fail_at == -2) {
    const char* s = getenv("DLTSIM_FAIL_AT");
    fail_at = s ? atol(s) : -1;
  }
  return ++calls == fail_at;
}

// A regular file open for writing (not stdout, a pipe or a file read for input).
static int writable_file(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY;
}

typedef ssize_t (*write_fn)(int, const void*, size_t);
typedef ssize_t (*pwrite_fn)(int, const void*, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void*, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec*, int);
typedef int (*ftruncate_fn)(int, off_t);
typedef int (*ftruncate64_fn)(int, off64_t);
typedef int (*fsync_fn)(int);
typedef int (*fdatasync_fn)(int);
typedef int (*close_fn)(int);
typedef int (*rename_fn)(const char*, const char*);
typedef int (*open_fn)(const char*, int, ...);
typedef int (*open64_fn)(const char*, int, ...);

// The libc function this one stands in for.
#define REAL(name)                  \
  static name##_fn real_##name = NULL; \
  if (!real_##name) real_##name = (name##_fn)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void* buf, size_t n) {
  REAL(write);
  if (writable_file(fd) && should_fail()) { errno = ENOSPC; return -1; }
  return real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  REAL(pwrite);
  if (writable_file(fd) && should_fail()) { errno = ENOSPC; return -1; }
  return real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  REAL(pwrite64);
  if (writable_file(fd) && should_fail()) { errno = ENOSPC; return -1; }
  return real_pwrite64(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec* iov, int n) {
  REAL(writev);
  if (writable_file(fd) && should_fail()) { errno = ENOSPC; return -1; }
  return real_writev(fd, iov, n);
}
int ftruncate(int fd, off_t len) {
  REAL(ftruncate);
  if (writable_file(fd) && should_fail()) { errno = EIO; return -1; }
  return real_ftruncate(fd, len);
}
int ftruncate64(int fd, off64_t len) {
  REAL(ftruncate64);
  if (writable_file(fd) && should_fail()) { errno = EIO; return -1; }
  return real_ftruncate64(fd, len);
}
int fsync(int fd) {
  REAL(fsync);
  if (writable_file(fd) && should_fail()) { errno = EIO; return -1; }
  return real_fsync(fd);
}
int fdatasync(int fd) {
  REAL(fdatasync);
  if (writable_file(fd) && should_fail()) { errno = EIO; return -1; }
  return real_fdatasync(fd);
}
int close(int fd) {
  REAL(close);
  if (writable_file(fd) && should_fail()) {
    real_close(fd);  // the descriptor is gone either way, as after a real failed close
    errno = EIO;
    return -1;
  }
  return real_close(fd);
}
int rename(const char* from, const char* to) {
  REAL(rename);
  if (should_fail()) { errno = EIO; return -1; }
  return real_rename(from, to);
}
static int open_impl(const char* path, int flags, mode_t mode, int is64) {
  if ((flags & O_CREAT) && should_fail()) { errno = ENOSPC; return -1; }
  if (is64) {
    REAL(open64);
    return real_open64(path, flags, mode);
  }
  REAL(open);
  return real_open(path, flags, mode);
}
int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
  return open_impl(path, flags, mode, 0);
}
int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
  return open_impl(path, flags, mode, 1);
}

__attribute__((destructor)) static void report(void) {
  const char* path = getenv("DLTSIM_COUNT_FILE");
  if (!path) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%ld\n", calls);
  fclose(f);
}
