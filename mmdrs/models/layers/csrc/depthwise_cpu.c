/*
 * Depthwise 2-D convolution on the CPU (float32, NCHW, zero padding, no
 * bias, one filter per channel): forward, gradient of the input, gradient
 * of the weight.
 *
 * Why: on a CPU without AVX-512, oneDNN (PyTorch's CPU convolutions) has no
 * direct kernel for the weight gradient of a depthwise convolution on NCHW
 * tensors and takes a GEMM path that is about 10x its forward pass (168 ms
 * against 15 ms for EfficientNet-Lite0's 1152-channel 5x5 layer at batch
 * 16, 20x20 outputs, 2 threads of an AMD EPYC with AVX2), and every call
 * converts NCHW into its blocked layout and back. The planes of a
 * depthwise convolution are independent, a few KiB each at the strides the
 * networks here train at: they are convolved one at a time in the core's
 * cache.
 *
 * Stride 1 (every dilated layer and most others): a plane of W columns is
 * convolved as one flat array at its own row stride, so that the kernel
 * offset (i, j) is the constant shift i * dilation * W + j * dilation and
 * each output is a register-blocked sum of shifted, contiguous vectors; the
 * (kw - 1) * dilation columns of each row that fall beyond the output's
 * width are computed and dropped (forward) or kept at zero (gradients).
 * Other strides: plain loops (they train in one block of the networks
 * here).
 * Padding: each plane is copied into a per-thread buffer whose border
 * stays zero (the input gradient is made there and its interior copied
 * out), so no padded tensor is made or kept for the backward pass.
 *
 * Threads: OpenMP over planes (forward, input gradient) or channels
 * (weight gradient: each channel's sum over the batch is made by one thread
 * in batch order, in double between planes). No thread combines another's
 * results, so the output does not depend on the thread count (bit for bit).
 * Vectors: GCC/Clang vector extensions at the widest width the build's
 * -march allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define KB 8 /* kernel taps per block of the weight gradient */
/* below this many multiply-adds one thread does the work */
#define MIN_PARALLEL 65536

typedef struct {
    int64_t n, c, h, w;    /* the input */
    int64_t pt, pl, hp, wp; /* its zero padding: top, left, padded size */
    int64_t kh, kw, stride, dil, ho, wo;
} shape_t;

static inline int n_threads(int64_t work, int nt) {
    return work < MIN_PARALLEL ? 1 : nt;
}

/* off[i * kw + j]: the flat shift of tap (i, j) in a padded plane */
static void tap_offsets(const shape_t *s, int64_t *off) {
    for (int64_t i = 0; i < s->kh; ++i)
        for (int64_t j = 0; j < s->kw; ++j)
            off[i * s->kw + j] = (i * s->wp + j) * s->dil;
}

static inline int padded(const shape_t *s) {
    return s->hp != s->h || s->wp != s->w;
}

/* the plane xp zero-padded: xp itself without padding, else its rows
 * copied into buf (hp * wp floats whose border stays zero) */
static const float *pad_plane(const shape_t *s, const float *xp, float *buf) {
    if (!padded(s)) return xp;
    for (int64_t y = 0; y < s->h; ++y)
        memcpy(buf + (y + s->pt) * s->wp + s->pl, xp + y * s->w,
               sizeof(float) * s->w);
    return buf;
}

/* out[t] = sum_k wk[k] * src[t + off[k]] for t in [0, len): 4 vectors of
 * outputs in registers while the taps go by */
static void shifted_sum(const float *src, const int64_t *off, const float *wk,
                        int64_t nk, float *out, int64_t len) {
    int64_t t = 0;
    for (; t + 4 * W <= len; t += 4 * W) {
        vf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        for (int64_t k = 0; k < nk; ++k) {
            const float *p = src + off[k] + t;
            const vf wv = splat(wk[k]);
            a0 += wv * ld(p);
            a1 += wv * ld(p + W);
            a2 += wv * ld(p + 2 * W);
            a3 += wv * ld(p + 3 * W);
        }
        st(out + t, a0);
        st(out + t + W, a1);
        st(out + t + 2 * W, a2);
        st(out + t + 3 * W, a3);
    }
    for (; t + W <= len; t += W) {
        vf a = {0};
        for (int64_t k = 0; k < nk; ++k) a += splat(wk[k]) * ld(src + off[k] + t);
        st(out + t, a);
    }
    for (; t < len; ++t) {
        float a = 0.f;
        for (int64_t k = 0; k < nk; ++k) a += wk[k] * src[off[k] + t];
        out[t] = a;
    }
}

/* acc[k] += sum_t g[t] * x[off[k] + t] for t in [0, len), k in [0, nk) */
static void shifted_dots(const float *g, const float *x, const int64_t *off,
                         int64_t nk, int64_t len, double *acc) {
    for (int64_t k0 = 0; k0 < nk; k0 += KB) {
        const int64_t kn = nk - k0 < KB ? nk - k0 : KB;
        vf a[KB];
        float tail[KB];
        for (int k = 0; k < KB; ++k) {
            a[k] = (vf){0};
            tail[k] = 0.f;
        }
        int64_t t = 0;
        if (kn == KB) { /* a full block: the compiler unrolls the taps */
            for (; t + W <= len; t += W) {
                const vf gv = ld(g + t);
                for (int k = 0; k < KB; ++k) a[k] += gv * ld(x + off[k0 + k] + t);
            }
        } else {
            for (; t + W <= len; t += W) {
                const vf gv = ld(g + t);
                for (int64_t k = 0; k < kn; ++k) a[k] += gv * ld(x + off[k0 + k] + t);
            }
        }
        for (; t < len; ++t)
            for (int64_t k = 0; k < kn; ++k) tail[k] += g[t] * x[off[k0 + k] + t];
        for (int64_t k = 0; k < kn; ++k) {
            float sum = tail[k];
            for (int l = 0; l < W; ++l) sum += a[k][l];
            acc[k0 + k] += sum;
        }
    }
}

#define SHAPE_ARGS                                                        \
    int64_t n, int64_t c, int64_t h, int64_t w, int64_t pt, int64_t pl,   \
        int64_t hp, int64_t wp, int64_t kh, int64_t kw, int64_t stride,   \
        int64_t dil, int64_t ho, int64_t wo
#define SHAPE {n, c, h, w, pt, pl, hp, wp, kh, kw, stride, dil, ho, wo}

/* x: [n, c, h, w], zero-padded to [hp, wp] (pt rows above, pl columns on
 * the left); weight: [c, kh, kw]; out: [n, c, ho, wo] */
void dw_forward(const float *x, const float *weight, float *out, SHAPE_ARGS,
                int nt) {
    const shape_t s = SHAPE;
    const int64_t nk = kh * kw, planes = n * c, len = (ho - 1) * wp + wo;
    int64_t *off = malloc(sizeof(int64_t) * nk);
    tap_offsets(&s, off);
#pragma omp parallel num_threads(n_threads(planes * ho * wo * nk, nt))
    {
        float *buf = stride == 1 ? malloc(sizeof(float) * len) : NULL;
        float *pad = padded(&s) ? calloc(hp * wp, sizeof(float)) : NULL;
#pragma omp for schedule(static)
        for (int64_t p = 0; p < planes; ++p) {
            const float *xp = pad_plane(&s, x + p * h * w, pad);
            const float *wk = weight + (p % c) * nk;
            float *op = out + p * ho * wo;
            if (stride == 1) {
                shifted_sum(xp, off, wk, nk, buf, len);
                for (int64_t y = 0; y < ho; ++y)
                    memcpy(op + y * wo, buf + y * wp, sizeof(float) * wo);
                continue;
            }
            memset(op, 0, sizeof(float) * ho * wo);
            for (int64_t y = 0; y < ho; ++y) {
                float *orow = op + y * wo;
                for (int64_t k = 0; k < nk; ++k) {
                    const float *xr = xp + y * stride * wp + off[k];
                    const float wv = wk[k];
                    for (int64_t q = 0; q < wo; ++q) orow[q] += wv * xr[q * stride];
                }
            }
        }
        free(buf);
        free(pad);
    }
    free(off);
}

/* grad_out: [n, c, ho, wo]; grad_x: [n, c, h, w] (written: the padded
 * plane's gradient without its border) */
void dw_backward_input(const float *grad_out, const float *weight,
                       float *grad_x, SHAPE_ARGS, int nt) {
    const shape_t s = SHAPE;
    const int64_t nk = kh * kw, planes = n * c;
    int64_t *off = malloc(sizeof(int64_t) * nk);
    int64_t *back = malloc(sizeof(int64_t) * nk);
    tap_offsets(&s, off);
    /* grad[t] = sum_k w[k] * g[t - off[k]] over the padded plane: g at the
     * padded row stride with zero columns beyond wo, after a zero margin
     * of the largest shift, so that t - off[k] + margin never leaves the
     * buffer */
    const int64_t margin = off[nk - 1];
    for (int64_t k = 0; k < nk; ++k) back[k] = margin - off[k];
#pragma omp parallel num_threads(n_threads(planes * ho * wo * nk, nt))
    {
        float *gz = stride == 1 ? calloc(margin + hp * wp, sizeof(float)) : NULL;
        float *gpad = padded(&s) ? malloc(sizeof(float) * hp * wp) : NULL;
#pragma omp for schedule(static)
        for (int64_t p = 0; p < planes; ++p) {
            float *xp = grad_x + p * h * w;
            float *gx = gpad ? gpad : xp; /* the padded plane's gradient */
            const float *wk = weight + (p % c) * nk;
            const float *gp = grad_out + p * ho * wo;
            if (stride == 1) {
                for (int64_t y = 0; y < ho; ++y)
                    memcpy(gz + margin + y * wp, gp + y * wo, sizeof(float) * wo);
                shifted_sum(gz, back, wk, nk, gx, hp * wp);
            } else {
                memset(gx, 0, sizeof(float) * hp * wp);
                for (int64_t y = 0; y < ho; ++y) {
                    const float *grow = gp + y * wo;
                    for (int64_t k = 0; k < nk; ++k) {
                        float *xr = gx + y * stride * wp + off[k];
                        const float wv = wk[k];
                        for (int64_t q = 0; q < wo; ++q) xr[q * stride] += wv * grow[q];
                    }
                }
            }
            if (gx != xp)
                for (int64_t y = 0; y < h; ++y)
                    memcpy(xp + y * w, gx + (y + pt) * wp + pl, sizeof(float) * w);
        }
        free(gz);
        free(gpad);
    }
    free(off);
    free(back);
}

/* x: [n, c, h, w]; grad_out: [n, c, ho, wo]; grad_w: [c, kh, kw] (written) */
void dw_backward_weight(const float *x, const float *grad_out, float *grad_w,
                        SHAPE_ARGS, int nt) {
    const shape_t s = SHAPE;
    const int64_t nk = kh * kw, len = (ho - 1) * wp + wo;
    int64_t *off = malloc(sizeof(int64_t) * nk);
    tap_offsets(&s, off);
#pragma omp parallel num_threads(n_threads(n * c * ho * wo * nk, nt))
    {
        /* g at the padded row stride, zero beyond wo in each row */
        float *gs = stride == 1 ? calloc(len, sizeof(float)) : NULL;
        float *pad = padded(&s) ? calloc(hp * wp, sizeof(float)) : NULL;
        double *acc = malloc(sizeof(double) * nk);
#pragma omp for schedule(static)
        for (int64_t ch = 0; ch < c; ++ch) {
            for (int64_t k = 0; k < nk; ++k) acc[k] = 0.;
            for (int64_t b = 0; b < n; ++b) {
                const float *xp = pad_plane(&s, x + (b * c + ch) * h * w, pad);
                const float *gp = grad_out + (b * c + ch) * ho * wo;
                if (stride == 1) {
                    for (int64_t y = 0; y < ho; ++y)
                        memcpy(gs + y * wp, gp + y * wo, sizeof(float) * wo);
                    shifted_dots(gs, xp, off, nk, len, acc);
                    continue;
                }
                for (int64_t y = 0; y < ho; ++y)
                    for (int64_t k = 0; k < nk; ++k) {
                        const float *xr = xp + y * stride * wp + off[k];
                        const float *grow = gp + y * wo;
                        float a = 0.f;
                        for (int64_t q = 0; q < wo; ++q) a += grow[q] * xr[q * stride];
                        acc[k] += a;
                    }
            }
            for (int64_t k = 0; k < nk; ++k) grad_w[ch * nk + k] = (float)acc[k];
        }
        free(gs);
        free(pad);
        free(acc);
    }
    free(off);
}
