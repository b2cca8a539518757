#include "cli/vae_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "cli/commands.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {

std::string status_message(const std::string& path, const std::string& what, const Status& st) {
  return path + ": " + what + " (" + st.message() + ")";
}

VaeInput::VaeInput(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdin;
  } else {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw CommandError(path + ": no such file");
    if (S_ISDIR(st.st_mode)) throw CommandError(path + ": is a directory, not a .vae file");
    if (S_ISREG(st.st_mode)) size_ = int64_t(st.st_size);
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw CommandError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  source_ = std::make_unique<bitstream::FileSource>(file_);
  reader_ = std::make_unique<bitstream::ContainerReader>(source_.get());
}

VaeInput::~VaeInput() {
  if (file_ && file_ != stdin) std::fclose(file_);
}

VaeOutput::VaeOutput(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdout;
  } else {
    try {
      io::AtomicFile::check_writable(path);
    } catch (const io::IoError& e) {
      throw CommandError(e.what());
    }
    atomic_ = std::make_unique<io::AtomicFile>(path);
    file_ = std::fopen(atomic_->temp_path().c_str(), "wb");
    if (!file_) throw CommandError(path + ": cannot write output (" + std::strerror(errno) + ")");
  }
  sink_ = std::make_unique<bitstream::FileSink>(file_);
  writer_ = std::make_unique<bitstream::ContainerWriter>(sink_.get());
}

VaeOutput::~VaeOutput() {
  if (file_ && file_ != stdout) std::fclose(file_);
}

void VaeOutput::write_packet(const VaecPacket& p) {
  Status st;
  if (p.frame_type == VAEC_FRAME_NONE) {
    bitstream::StreamHeader header;
    st = bitstream::parse_header(p.data, p.size, &header);
    if (st.ok()) st = writer_->write_header(header);
  } else {
    st = writer_->write_packet_record(p.data, p.size);
  }
  if (!st.ok()) throw CommandError(status_message(path_, "cannot write the stream", st));
}

void VaeOutput::commit() {
  if (std::fflush(file_) != 0) throw CommandError(path_ + ": cannot write output (" + std::strerror(errno) + ")");
  if (file_ == stdout) return;
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) throw CommandError(path_ + ": cannot write output (" + std::strerror(errno) + ")");
  try {
    atomic_->commit();
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
}

}  // namespace vaec::cli
