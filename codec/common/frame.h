// Plain picture and rate types shared by the codec core and the tools.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vaec {

// A frame rate or time base, kept exact (e.g. 30000/1001).
struct Rational {
  int64_t num = 0;
  int64_t den = 1;
  double value() const { return den ? double(num) / double(den) : 0.0; }
  bool valid() const { return num > 0 && den > 0; }
  bool operator==(const Rational& o) const { return num * o.den == o.num * den; }
  bool operator!=(const Rational& o) const { return !(*this == o); }
};

// One 8-bit YUV 4:2:0 picture. Planes are tightly packed (stride == plane width);
// chroma planes are ceil(width/2) x ceil(height/2), so odd sizes are exact.
struct Frame {
  int width = 0;
  int height = 0;
  std::array<std::vector<uint8_t>, 3> planes;

  static int chroma_extent(int luma_extent) { return (luma_extent + 1) / 2; }
  int plane_width(int plane) const { return plane == 0 ? width : chroma_extent(width); }
  int plane_height(int plane) const { return plane == 0 ? height : chroma_extent(height); }
  size_t plane_size(int plane) const { return size_t(plane_width(plane)) * size_t(plane_height(plane)); }

  void allocate(int w, int h) {
    width = w;
    height = h;
    for (int p = 0; p < 3; ++p) planes[p].assign(plane_size(p), p == 0 ? 0 : 128);
  }
  bool same_size(const Frame& o) const { return width == o.width && height == o.height; }
};

}  // namespace vaec
