#pragma once
// Schema of a result table: a plain struct per row, described column by column so the HDF5 writer
// (and the Python reader, through the file) know names, types, units and docs.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace dltsim {

/// Column storage type.
enum class ColumnType { u8, u16, u32, u64, i32, i64, f32, f64, text };

/// One column of a row struct.
struct Column {
  std::string name;    ///< column name (snake_case, unit suffix where it has one)
  ColumnType type;     ///< storage type
  std::size_t offset;  ///< offset in the row struct
  std::size_t size;    ///< bytes (fixed-length text: the array size)
  std::string unit;    ///< unit, "" if none
  std::string doc;     ///< one-line description
};

/// A table: name, doc and columns of a row struct.
struct TableSchema {
  std::string name;             ///< dataset name in the result file
  std::string doc;              ///< one-line description
  std::size_t row_size = 0;     ///< sizeof(row struct)
  std::vector<Column> columns;  ///< columns
};

/// ColumnType of a C++ field type.
template <class T>
constexpr ColumnType column_type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t> || std::is_same_v<T, bool>)
    return ColumnType::u8;
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return ColumnType::u16;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return ColumnType::u32;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return ColumnType::u64;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return ColumnType::i32;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return ColumnType::i64;
  else if constexpr (std::is_same_v<T, float>)
    return ColumnType::f32;
  else if constexpr (std::is_same_v<T, double>)
    return ColumnType::f64;
  else if constexpr (std::is_array_v<T> && std::is_same_v<std::remove_extent_t<T>, char>)
    return ColumnType::text;
  else
    static_assert(sizeof(T) == 0, "unsupported column type");
}

}  // namespace dltsim

/// Describes field `field` of row struct `Row` as a Column.
#define DLTSIM_COLUMN(Row, field, unit, doc)                                                              \
  ::dltsim::Column {                                                                                      \
#field, ::dltsim::column_type_of < decltype(Row::field)>(), offsetof(Row, field), sizeof(Row::field), \
        unit, doc                                                                                         \
  }
