// Training crops as one raw file, for trainers that cannot run the FFmpeg-based loader
// (scripts/train-gpu.py on a lent GPU machine). The crops are drawn exactly as `vaec train`
// draws them (Dataset::random_crop: same weights and flips).
//
//   "VAECROPS" | u32 count | u32 size | count x I420 frame (size x size luma, then
//   size/2 x size/2 U, then V), integers little-endian.
#pragma once

#include <cstdint>
#include <string>

#include "train/dataset.h"

namespace vaec::train {

// Writes `count` random size x size crops (size a positive multiple of 16) to `path` through a
// temporary file, so a failed run leaves no partial output. Throws std::runtime_error.
void write_crops_file(const Dataset& data, int count, int size, uint64_t seed, const std::string& path);

}  // namespace vaec::train
