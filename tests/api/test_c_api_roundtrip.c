/* A plain-C program against vaec.h: encodes a few synthetic frames with the model given as
 * argv[1], decodes them back and checks count, size, order and closeness. Exit 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaec/vaec.h"

enum { W = 67, H = 45, FRAMES = 3, MAX_PACKETS = 16 };

static int fail(const char *what, int status) {
  fprintf(stderr, "%s: %s (%s)\n", what, vaec_status_str(status), vaec_error_detail(NULL));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return fail("usage: test_c_api_roundtrip MODEL", VAEC_EINVAL);
  static uint8_t planes[FRAMES][3][W * H];
  const int cw = (W + 1) / 2, ch = (H + 1) / 2;
  for (int f = 0; f < FRAMES; f++)
    for (int i = 0; i < W * H; i++) {
      planes[f][0][i] = (uint8_t)((i % W) * 3 + (i / W) + f * 9);
      if (i < cw * ch) planes[f][1][i] = (uint8_t)(110 + i % 17), planes[f][2][i] = (uint8_t)(140 - i % 13);
    }

  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = argv[1];
  s.width = W;
  s.height = H;
  s.quality = 80;
  VaecContext *enc = NULL;
  int res = vaec_encoder_open(&enc, &s);
  if (res < 0) return fail("vaec_encoder_open", res);

  uint8_t *records[MAX_PACKETS];
  size_t sizes[MAX_PACKETS];
  int n = 0;
  VaecPacket pkt;
  for (int f = 0; f <= FRAMES; f++) {
    VaecPicture pic;
    memset(&pic, 0, sizeof pic);
    pic.width = W, pic.height = H, pic.format = VAEC_PIX_FMT_YUV420P, pic.pts = f;
    for (int p = 0; p < 3; p++) pic.data[p] = planes[f < FRAMES ? f : 0][p], pic.stride[p] = p ? cw : W;
    res = vaec_send_frame(enc, f < FRAMES ? &pic : NULL);
    if (res < 0) return fail("vaec_send_frame", res);
    while ((res = vaec_receive_packet(enc, &pkt)) == VAEC_OK) {
      if (n == MAX_PACKETS) return fail("too many packets", VAEC_EINTERNAL);
      records[n] = malloc(pkt.size);
      memcpy(records[n], pkt.data, pkt.size);
      sizes[n++] = pkt.size;
      vaec_packet_unref(&pkt);
    }
    if (res != VAEC_EAGAIN && res != VAEC_EOF) return fail("vaec_receive_packet", res);
  }
  vaec_close(&enc);
  if (enc != NULL || n != FRAMES + 1) return fail("encoder output", VAEC_EINTERNAL);

  VaecContext *dec = NULL;
  res = vaec_decoder_open(&dec, &s);
  if (res < 0) return fail("vaec_decoder_open", res);
  int got = 0;
  for (int i = 0; i <= n; i++) {
    VaecPacket in;
    memset(&in, 0, sizeof in);
    in.data = i < n ? records[i] : NULL, in.size = i < n ? sizes[i] : 0;
    res = vaec_send_packet(dec, i < n ? &in : NULL);
    if (res < 0) return fail("vaec_send_packet", res);
    VaecPicture out;
    while ((res = vaec_get_frame(dec, &out)) == VAEC_OK) {
      if (out.width != W || out.height != H || out.pts != got) return fail("decoded picture", VAEC_EINTERNAL);
      long err = 0;
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) err += labs((long)out.data[0][y * out.stride[0] + x] - planes[got][0][y * W + x]);
      if (err / (W * H) > 60) return fail("decoded picture far from the input", VAEC_EINTERNAL);
      vaec_picture_unref(&out);
      got++;
    }
    if (res != VAEC_EAGAIN && res != VAEC_EOF) return fail("vaec_get_frame", res);
  }
  vaec_close(&dec);
  for (int i = 0; i < n; i++) free(records[i]);
  if (got != FRAMES) return fail("frame count", VAEC_EINTERNAL);
  printf("C API round trip: %d frames %dx%d\n", got, W, H);
  return 0;
}
