#include "model/raw_tensor_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vaec::model {

namespace {

constexpr size_t kMagicSize = 8;
constexpr size_t kHeaderSize = kMagicSize + 4 + 8 + 8;

class Writer {
 public:
  std::vector<uint8_t> bytes;
  template <typename T> void put(T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // x86-64: little-endian
    bytes.insert(bytes.end(), b, b + sizeof(T));
  }
  void raw(const void* p, size_t n) {
    auto* c = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), c, c + n);
  }
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n, const std::string& what) : p_(p), n_(n), what_(what) {}
  template <typename T> T get() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  const uint8_t* take(size_t n) {
    if (n > n_ - pos_) throw ModelFileError(what_ + ": truncated or damaged");
    const uint8_t* r = p_ + pos_;
    pos_ += n;
    return r;
  }
  bool done() const { return pos_ == n_; }

 private:
  const uint8_t* p_;
  size_t n_, pos_ = 0;
  const std::string& what_;
};

}  // namespace

size_t dtype_size(Dtype t) {
  switch (t) {
    case Dtype::kUInt8: return 1;
    case Dtype::kBFloat16: case Dtype::kInt16: case Dtype::kHalf: return 2;
    case Dtype::kFloat: case Dtype::kInt32: return 4;
    case Dtype::kInt64: case Dtype::kDouble: return 8;
  }
  return 0;
}

int64_t RawTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

uint64_t xxhash64(const void* data, size_t size) { return XXH64(data, size, 0); }

const RawTensor* RawTensorFile::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<uint8_t> encode_raw_tensor_file(const RawTensorFile& file, const std::string& magic, uint32_t version) {
  if (magic.size() != kMagicSize) throw std::invalid_argument("tensor_file: magic must be 8 bytes");
  Writer body;
  body.put<uint32_t>(uint32_t(file.meta.size()));
  body.raw(file.meta.data(), file.meta.size());
  body.put<uint32_t>(uint32_t(file.tensors.size()));
  for (const RawTensor& t : file.tensors) {
    if (t.data.size() != size_t(t.numel()) * dtype_size(t.dtype))
      throw std::invalid_argument("tensor_file: tensor '" + t.name + "' has the wrong byte count");
    body.put<uint16_t>(uint16_t(t.name.size()));
    body.raw(t.name.data(), t.name.size());
    body.put<uint8_t>(uint8_t(t.dtype));
    body.put<uint8_t>(uint8_t(t.dims.size()));
    for (int64_t d : t.dims) body.put<int64_t>(d);
    body.raw(t.data.data(), t.data.size());
  }
  Writer out;
  out.raw(magic.data(), kMagicSize);
  out.put<uint32_t>(version);
  out.put<uint64_t>(xxhash64(body.bytes.data(), body.bytes.size()));
  out.put<uint64_t>(uint64_t(body.bytes.size()));
  out.raw(body.bytes.data(), body.bytes.size());
  return out.bytes;
}

RawTensorFile decode_raw_tensor_file(const std::vector<uint8_t>& bytes, const std::string& magic, uint32_t version,
                                     const std::string& what, uint64_t* hash) {
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), magic.data(), kMagicSize) != 0)
    throw ModelFileError(what + ": not a " + magic.substr(0, 4) + " file");
  Reader head(bytes.data() + kMagicSize, kHeaderSize - kMagicSize, what);
  const auto file_version = head.get<uint32_t>();
  const auto stored_hash = head.get<uint64_t>();
  const auto size = head.get<uint64_t>();
  if (file_version != version)
    throw ModelFileError(what + ": format version " + std::to_string(file_version) +
                         ", this build reads version " + std::to_string(version));
  if (size != bytes.size() - kHeaderSize) throw ModelFileError(what + ": truncated or damaged");
  const uint8_t* payload = bytes.data() + kHeaderSize;
  if (xxhash64(payload, size) != stored_hash)
    throw ModelFileError(what + ": damaged (content hash mismatch)");
  if (hash) *hash = stored_hash;

  Reader r(payload, size, what);
  RawTensorFile file;
  const auto meta_size = r.get<uint32_t>();
  file.meta.assign(reinterpret_cast<const char*>(r.take(meta_size)), meta_size);
  const auto count = r.get<uint32_t>();
  for (uint32_t i = 0; i < count; ++i) {
    RawTensor t;
    const auto name_size = r.get<uint16_t>();
    t.name.assign(reinterpret_cast<const char*>(r.take(name_size)), name_size);
    t.dtype = Dtype(r.get<uint8_t>());
    const auto ndim = r.get<uint8_t>();
    if (dtype_size(t.dtype) == 0 || ndim > 8) throw ModelFileError(what + ": damaged (tensor '" + t.name + "')");
    t.dims.resize(ndim);
    int64_t numel = 1;
    for (auto& d : t.dims) {
      d = r.get<int64_t>();
      if (d < 0 || d > (int64_t(1) << 32) || (d && numel > (int64_t(1) << 40) / d))
        throw ModelFileError(what + ": damaged (tensor '" + t.name + "')");
      numel *= d;
    }
    const size_t n = size_t(numel) * dtype_size(t.dtype);
    const uint8_t* data = r.take(n);  // checked against the bytes left before allocating
    t.data.assign(data, data + n);
    file.tensors.push_back(std::move(t));
  }
  if (!r.done()) throw ModelFileError(what + ": damaged (trailing bytes)");
  return file;
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw ModelFileError(path + ": cannot open file");
  const std::streamsize n = f.tellg();
  f.seekg(0);
  std::vector<uint8_t> bytes(size_t(std::max<std::streamsize>(n, 0)));
  if (!f.read(reinterpret_cast<char*>(bytes.data()), n)) throw ModelFileError(path + ": cannot read file");
  return bytes;
}

}  // namespace vaec::model
