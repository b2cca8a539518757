// Framing of several byte streams (e.g. the rANS streams of z and y) inside one frame
// payload: each is a LEB128 length followed by its bytes. The container never looks inside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace vaec::bitstream {

void append_substream(const uint8_t* data, size_t size, std::vector<uint8_t>* payload);

class SubstreamReader {
 public:
  SubstreamReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  // The next sub-stream (pointing into the payload). kTruncated when none is left: payloads
  // have a fixed number of sub-streams, so a missing one is a cut payload (not an end of stream,
  // which the C API would report as VAEC_EOF).
  Status next(const uint8_t** data, size_t* size);
  bool done() const { return p_ == end_; }
  // What follows the sub-streams read so far (e.g. a nested payload).
  const uint8_t* rest() const { return p_; }
  size_t rest_size() const { return size_t(end_ - p_); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace vaec::bitstream
