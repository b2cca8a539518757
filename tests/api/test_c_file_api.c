/* A plain-C program against vaec_file.h: encodes 6 small frames (GOP 3) into a .vae file
 * through the file writer, then reads it back through the file reader: stream facts, the
 * header record as the file holds it, every packet in order with its type and quality, the
 * index's frame count, seeking to an I-frame, and the errors for a seek past the end and a file
 * that is not a .vae stream. Exit 0 on success. argv[1]: the model. */
#include <stdio.h>
#include <string.h>

#include "vaec/vaec.h"
#include "vaec/vaec_file.h"

enum { W = 64, H = 48, FRAMES = 6, GOP = 3 };

static int fail(const char *what) {
  fprintf(stderr, "test_c_file_api: %s\n", what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return fail("usage: test_c_file_api MODEL");
  static uint8_t planes[3][W * H];
  for (int i = 0; i < W * H; i++) planes[0][i] = (uint8_t)(i * 7), planes[1][i] = 120, planes[2][i] = 130;

  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = argv[1];
  s.width = W, s.height = H, s.gop = GOP, s.quality = 40;
  VaecContext *enc = NULL;
  if (vaec_encoder_open(&enc, &s) < 0) return fail("vaec_encoder_open");
  FILE *file = tmpfile();
  VaecFileWriter *w = NULL;
  if (!file || vaec_file_writer_open(&w, file) != VAEC_OK) return fail("vaec_file_writer_open");
  VaecPacket pkt;
  for (int f = 0; f <= FRAMES; f++) {
    VaecPicture pic;
    memset(&pic, 0, sizeof pic);
    pic.width = W, pic.height = H, pic.format = VAEC_PIX_FMT_YUV420P;
    for (int p = 0; p < 3; p++) pic.data[p] = planes[p], pic.stride[p] = p ? (W + 1) / 2 : W;
    if (vaec_send_frame(enc, f < FRAMES ? &pic : NULL) < 0) return fail("vaec_send_frame");
    while (vaec_receive_packet(enc, &pkt) == VAEC_OK) {
      if (vaec_file_write_packet(w, &pkt) != VAEC_OK) return fail(vaec_file_writer_error(w));
      vaec_packet_unref(&pkt);
    }
  }
  vaec_close(&enc);
  if (vaec_file_writer_finish(w) != VAEC_OK) return fail(vaec_file_writer_error(w));
  const int64_t bytes = vaec_file_writer_bytes(w);
  vaec_file_writer_close(&w);
  fflush(file);
  if (w != NULL || bytes <= 0 || ftell(file) != bytes) return fail("writer: size");

  rewind(file);
  VaecFileReader *r = NULL;
  if (vaec_file_reader_open(&r, file) != VAEC_OK) return fail("vaec_file_reader_open");
  VaecStreamInfo info;
  if (vaec_file_reader_info(r, &info) != VAEC_OK || info.width != W || info.height != H || info.gop != GOP ||
      info.quality != 40)
    return fail("reader: stream info");
  if (vaec_file_reader_header(r, &pkt) != VAEC_OK || pkt.size == 0 || pkt.frame_type != VAEC_FRAME_NONE)
    return fail("reader: header packet");
  {  /* the header record exactly as the file holds it */
    static uint8_t first[4096];
    const long at = ftell(file);
    rewind(file);
    if (pkt.size > sizeof first || fread(first, 1, pkt.size, file) != pkt.size || memcmp(first, pkt.data, pkt.size) != 0)
      return fail("reader: header packet differs from the file's header record");
    fseek(file, at, SEEK_SET);
  }
  int64_t count = 0;
  if (vaec_file_reader_frame_count(r, &count) != VAEC_OK || count != FRAMES) return fail("reader: frame count");
  int n = 0, res;
  while ((res = vaec_file_read_packet(r, &pkt)) == VAEC_OK) {
    const VaecFrameType want = n % GOP == 0 ? VAEC_FRAME_I : VAEC_FRAME_P;
    if (pkt.pts != n || pkt.frame_type != want || pkt.quality != 40 || pkt.size < 24) return fail("reader: packet");
    n++;
  }
  if (res != VAEC_EOF || n != FRAMES || !vaec_file_reader_complete(r)) return fail("reader: end of stream");
  vaec_file_reader_close(&r);

  rewind(file);
  if (vaec_file_reader_open(&r, file) != VAEC_OK) return fail("vaec_file_reader_open (2)");
  if (vaec_file_reader_seek(r, FRAMES, NULL) != VAEC_EINVAL || strstr(vaec_file_reader_error(r), "past") == NULL)
    return fail("seek past the end");
  int64_t landed = -1;
  if (vaec_file_reader_seek(r, 4, &landed) != VAEC_OK || landed != 3) return fail("seek to frame 4");
  if (vaec_file_read_packet(r, &pkt) != VAEC_OK || pkt.pts != 3 || pkt.frame_type != VAEC_FRAME_I)
    return fail("reading after the seek");
  vaec_file_reader_close(&r);
  fclose(file);

  FILE *junk = tmpfile();
  fputs("not a vae stream at all, just some text", junk);
  rewind(junk);
  if (vaec_file_reader_open(&r, junk) >= 0 || r != NULL || vaec_file_reader_error(NULL)[0] == '\0')
    return fail("a file that is not a .vae stream");
  fclose(junk);
  printf("C file API: %d frames, %lld bytes, seek and errors checked\n", n, (long long)bytes);
  return 0;
}
