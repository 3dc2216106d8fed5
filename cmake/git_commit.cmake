# Writes OUT (dltsim/git_commit.hpp): the commit the sources are at and whether tracked files differ
# from it. Run at every build (a custom target), not only at configure time, so that a result file's
# provenance and the study cache's keys name the commit the binary was really built from. The file
# is rewritten only when its text changes: an unchanged tree recompiles nothing.
# Usage: cmake -DSOURCE_DIR=<repo> -DOUT=<file> -P git_commit.cmake
execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(dirty_flag false)
if(NOT commit)
  set(commit "unknown")
elseif(dirty)
  set(commit "${commit}-dirty")
  set(dirty_flag true)
endif()
set(text "#pragma once
// Generated at every build by cmake/git_commit.cmake.

namespace dltsim {
/// Git commit the binary was built from (\"-dirty\" when tracked files were modified).
inline constexpr const char* kGitCommit = \"${commit}\";
/// True when the source tree had uncommitted changes to tracked files when the binary was built.
inline constexpr bool kSourceTreeDirty = ${dirty_flag};
}  // namespace dltsim
")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
