// Little-endian load/store helpers, safe for unaligned pointers.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace vaec {

inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
inline uint64_t load_le64(const uint8_t* p) {
  return uint64_t(load_le32(p)) | (uint64_t(load_le32(p + 4)) << 32);
}

inline void store_le16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
inline void store_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

inline void append_le16(std::vector<uint8_t>* out, uint16_t v) {
  out->resize(out->size() + 2);
  store_le16(out->data() + out->size() - 2, v);
}
inline void append_le32(std::vector<uint8_t>* out, uint32_t v) {
  out->resize(out->size() + 4);
  store_le32(out->data() + out->size() - 4, v);
}
inline void append_le64(std::vector<uint8_t>* out, uint64_t v) {
  out->resize(out->size() + 8);
  store_le64(out->data() + out->size() - 8, v);
}

}  // namespace vaec
