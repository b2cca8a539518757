#include "coding/dec_transform_residual.h"

#include <algorithm>
#include <vector>

#include "bitstream/substreams.h"
#include "coding/payload_common.h"
#include "coding/transform_residual.h"
#include "entropy/rans.h"

namespace vaec::coding {

namespace {

// Reads the scales of the classes `present` marks into *scales (the others keep theirs).
Status read_scales(entropy::RansReader* reader, const ClassMask& present, TransformScales* scales) {
  for (size_t c = 0; c < present.size(); ++c) {
    if (!present[c]) continue;
    int32_t delta = 0;
    VAEC_RETURN_IF_ERROR(reader->next(kScaleDeltaTable, &delta));
    const int64_t scale = int64_t(default_transform_scales()[c]) + delta;
    if (scale < 0 || scale >= int64_t(gaussian_tables().size()))
      return Status(StatusCode::kCorruptData, "transform residual: scale out of range");
    (*scales)[c] = uint8_t(scale);
  }
  return OkStatus();
}

}  // namespace

Status decode_transform_residual(const uint8_t* data, size_t size, const Frame& prediction, Frame* picture) {
  if (size < 1) return Status(StatusCode::kTruncated, "transform residual: too short");
  const int qp = data[0];
  if (qp > kMaxTransformQp) return Status(StatusCode::kCorruptData, "transform residual: qp out of range");
  const int64_t step = transform_step(qp);
  bitstream::SubstreamReader streams(data + 1, size - 1);
  const uint8_t* bytes = nullptr;
  size_t n_bytes = 0;
  VAEC_RETURN_IF_ERROR(streams.next(&bytes, &n_bytes));
  if (!streams.done()) return Status(StatusCode::kCorruptData, "transform residual: trailing bytes");
  entropy::RansReader reader(gaussian_tables(), bytes, n_bytes);

  const std::array<std::vector<uint8_t>, 3> classes = block_classes(prediction);
  TransformScales scales = default_transform_scales();
  VAEC_RETURN_IF_ERROR(read_scales(&reader, present_classes(classes, nullptr), &scales));
  TransformLevels levels(prediction);
  for (int p = 0; p < 3; ++p)
    for (size_t b = 0; b < classes[size_t(p)].size(); ++b) {
      int32_t flag = 0;
      VAEC_RETURN_IF_ERROR(reader.next(scales[classes[size_t(p)][b]], &flag));
      if (flag != 0 && flag != 1) return Status(StatusCode::kCorruptData, "transform residual: bad block flag");
      levels.coded[size_t(p)][b] = uint8_t(flag);
    }
  VAEC_RETURN_IF_ERROR(read_scales(&reader, present_classes(classes, &levels.coded), &scales));
  for (int p = 0; p < 3; ++p)
    for (size_t b = 0; b < classes[size_t(p)].size(); ++b) {
      if (!levels.coded[size_t(p)][b]) continue;
      int32_t* l = levels.levels[size_t(p)].data() + b * kTransformCoefficients;
      for (int v = 0; v < kTransformSize; ++v)
        for (int u = 0; u < kTransformSize; ++u, ++l) {
          VAEC_RETURN_IF_ERROR(reader.next(scales[level_class(classes[size_t(p)][b], v, u)], l));
          if (int64_t(*l) * step > kMaxDequantized || int64_t(*l) * step < -kMaxDequantized)
            return Status(StatusCode::kCorruptData, "transform residual: level out of range");
        }
    }
  VAEC_RETURN_IF_ERROR(reader.finish());
  reconstruct_transform_residual(prediction, levels, qp, picture);
  return OkStatus();
}

}  // namespace vaec::coding
