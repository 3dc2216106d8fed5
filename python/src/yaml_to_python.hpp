#pragma once
// YAML text -> Python dicts, lists and scalars, safe on any input: the document is read as a
// stream of parser events (no node graph), an alias becomes a second reference to the object its
// anchor built (an "alias bomb" costs no memory), an alias to a node that contains it is an error
// (no cycle, no endless recursion), and the size of what is built is bounded.

#include <string>

#include <pybind11/pybind11.h>

namespace dltsim::python {

/// Most scalars, mappings and sequences one document may build (a result file's scenario has hundreds).
constexpr std::size_t kMaxYamlNodes = 1000000;

/// Parses one YAML document; raises ValueError with the line of the problem on bad or hostile input.
pybind11::object yaml_to_python(const std::string& text);

}  // namespace dltsim::python
