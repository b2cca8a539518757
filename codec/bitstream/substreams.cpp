#include "bitstream/substreams.h"

namespace vaec::bitstream {

void append_substream(const uint8_t* data, size_t size, std::vector<uint8_t>* payload) {
  uint64_t v = size;
  do {
    const uint8_t low = uint8_t(v & 0x7f);
    v >>= 7;
    payload->push_back(v ? uint8_t(low | 0x80) : low);
  } while (v);
  if (size > 0) payload->insert(payload->end(), data, data + size);
}

Status SubstreamReader::next(const uint8_t** data, size_t* size) {
  if (p_ == end_) return Status(StatusCode::kTruncated, "substreams: the payload ends before its next sub-stream");
  // At most 5 LEB128 bytes (lengths < 2^32), canonical: no trailing zero byte.
  uint64_t v = 0;
  for (int i = 0;; ++i) {
    if (p_ == end_) return Status(StatusCode::kTruncated, "substreams: truncated length");
    if (i == 5) return Status(StatusCode::kCorruptData, "substreams: length too long");
    const uint8_t b = *p_++;
    v |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      if (b == 0 && i > 0) return Status(StatusCode::kCorruptData, "substreams: non-canonical length");
      break;
    }
  }
  if (v > uint64_t(end_ - p_)) return Status(StatusCode::kTruncated, "substreams: truncated data");
  *data = p_;
  *size = size_t(v);
  p_ += v;
  return OkStatus();
}

}  // namespace vaec::bitstream
