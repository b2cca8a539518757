// Constants and bypass-code layout shared by enc_rans.cpp and dec_rans.cpp.
#pragma once

#include <cstdint>

namespace vaec::entropy::detail {

// rANS state x lives in [kRansL, 2^63); renormalization moves 32-bit words.
constexpr uint64_t kRansL = uint64_t(1) << 31;
// x_max for a symbol of frequency f is f << kXMaxShift, i.e. ((L >> 16) << 32) * f.
constexpr int kXMaxShift = 31 - 16 + 32;

// Escape payload, coded with uniform "bypass" symbols right after the escape symbol:
//   header (6 bits) = side * 32 + k, side 0: value below the table, 1: above;
//   then the k low bits of u = m + 1, where m = distance past the table edge minus one
//   (u in [1, 2^32 - 1], k = floor(log2 u)), as a 16-bit chunk and a (k - 16)-bit chunk
//   when k > 16, else one k-bit chunk (none when k == 0).
constexpr int kEscapeHeaderBits = 6;
constexpr int kBypassChunkBits = 16;

inline uint64_t mul_hi64(uint64_t a, uint64_t b) {
  return uint64_t((unsigned __int128)a * b >> 64);
}

}  // namespace vaec::entropy::detail
