#include "bitstream/byte_stream.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace vaec::bitstream {

Status VectorSink::write(const uint8_t* data, size_t size) {
  if (size > 0) out_->insert(out_->end(), data, data + size);
  return OkStatus();
}

Status FileSink::write(const uint8_t* data, size_t size) {
  if (size > 0 && std::fwrite(data, 1, size, f_) != size)
    return Status(StatusCode::kIoError, "write failed");
  return OkStatus();
}

Status MemorySource::read(uint8_t* data, size_t size, size_t* got) {
  *got = std::min(size, size_ - pos_);
  if (*got > 0) std::memcpy(data, data_ + pos_, *got);
  pos_ += *got;
  return OkStatus();
}

Status MemorySource::seek(uint64_t offset) {
  if (offset > size_) return Status(StatusCode::kInvalidArgument, "seek beyond the end");
  pos_ = size_t(offset);
  return OkStatus();
}

FileSource::FileSource(std::FILE* f) : f_(f) {
  // Pipes fail ftell/fseek; regular files do not.
  const long pos = std::ftell(f_);
  seekable_ = pos >= 0 && std::fseek(f_, pos, SEEK_SET) == 0;
}

Status FileSource::read(uint8_t* data, size_t size, size_t* got) {
  *got = size > 0 ? std::fread(data, 1, size, f_) : 0;
  if (*got < size && std::ferror(f_)) return Status(StatusCode::kIoError, "read failed");
  return OkStatus();
}

Status FileSource::seek(uint64_t offset) {
  if (!seekable_ || offset > uint64_t(LONG_MAX) || std::fseek(f_, long(offset), SEEK_SET) != 0)
    return Status(StatusCode::kIoError, "seek failed");
  return OkStatus();
}

Status FileSource::total_size(uint64_t* size) {
  if (!seekable_) return Status(StatusCode::kUnsupported, "source is not seekable");
  const long pos = std::ftell(f_);
  if (pos < 0 || std::fseek(f_, 0, SEEK_END) != 0) return Status(StatusCode::kIoError, "seek failed");
  const long end = std::ftell(f_);
  if (end < 0 || std::fseek(f_, pos, SEEK_SET) != 0) return Status(StatusCode::kIoError, "seek failed");
  *size = uint64_t(end);
  return OkStatus();
}

}  // namespace vaec::bitstream
