// Where container bytes go to and come from: small interfaces over memory, FILE* and
// callbacks. Sinks never seek, so a writer works into a pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <vector>

#include "common/status.h"

namespace vaec::bitstream {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(const uint8_t* data, size_t size) = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; *got < size only at the end of the data.
  virtual Status read(uint8_t* data, size_t size, size_t* got) = 0;
  // Random access, used only to load the index from the end of a file.
  virtual bool seekable() const { return false; }
  virtual Status seek(uint64_t /*offset*/) {
    return Status(StatusCode::kUnsupported, "source is not seekable");
  }
  virtual Status total_size(uint64_t* /*size*/) {
    return Status(StatusCode::kUnsupported, "source is not seekable");
  }
};

class VectorSink : public ByteSink {
 public:
  explicit VectorSink(std::vector<uint8_t>* out) : out_(out) {}
  Status write(const uint8_t* data, size_t size) override;

 private:
  std::vector<uint8_t>* out_;
};

// Writes to a FILE* (a file or a pipe); does not close it.
class FileSink : public ByteSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  Status write(const uint8_t* data, size_t size) override;

 private:
  std::FILE* f_;
};

// Hands every chunk to a callback (e.g. an AVIOContext or a socket).
class CallbackSink : public ByteSink {
 public:
  using Fn = std::function<Status(const uint8_t*, size_t)>;
  explicit CallbackSink(Fn fn) : fn_(std::move(fn)) {}
  Status write(const uint8_t* data, size_t size) override { return fn_(data, size); }

 private:
  Fn fn_;
};

// Reads from memory the caller keeps alive.
class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  Status read(uint8_t* data, size_t size, size_t* got) override;
  bool seekable() const override { return true; }
  Status seek(uint64_t offset) override;
  Status total_size(uint64_t* size) override {
    *size = size_;
    return OkStatus();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Reads from a FILE*; seekable when the FILE* is (not for pipes). Does not close it.
class FileSource : public ByteSource {
 public:
  explicit FileSource(std::FILE* f);
  Status read(uint8_t* data, size_t size, size_t* got) override;
  bool seekable() const override { return seekable_; }
  Status seek(uint64_t offset) override;
  Status total_size(uint64_t* size) override;

 private:
  std::FILE* f_;
  bool seekable_ = false;
};

}  // namespace vaec::bitstream
