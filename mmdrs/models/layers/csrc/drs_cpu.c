/*
 * DRS on the CPU, float32, one (sample, channel) plane at a time.
 *
 * A plane of a VGG/EfficientNet activation (at most a few hundred KiB) stays
 * in the core's cache between the statistics and the output loops, so the
 * fixed-delta forward reads the activation from memory once, as a ReLU does,
 * and its backward is one loop: the memory traffic of a ReLU's backward.
 * Planes are spread over OpenMP threads (the runtime torch already loaded).
 * Every reduction (max, argmax, the sums) is over one plane, by one thread,
 * in index order; threads only share out whole planes and write their own
 * results: no cross-thread combination, no atomics, so the results do not
 * depend on the thread count or schedule (bit for bit).
 * Semantics are those of mmdrs/models/layers/drs_function.py (its eager and
 * compiled paths): max and *first* argmax of the raw input, m = clamp(max, 0,
 * cap), thr = delta * m, out = min(clamp(x, 0, cap), thr); a plane holding a
 * NaN has a NaN max (index: its first NaN) and a NaN output.
 *
 * Loops use GCC/Clang vector extensions (the widest vectors the build's
 * -march allows, 4 accumulators): the compiler does not vectorise float
 * reductions on its own without -ffast-math, which would break the NaN
 * rules above.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "vec.h"

typedef int32_t vi __attribute__((vector_size(VBYTES)));
#define STEP (4 * W) /* floats per unrolled iteration: 4 vectors */
/* below this many elements one thread does the work */
#define MIN_PARALLEL 32768
/* float partial sums are moved to a double every FLUSH elements */
#define FLUSH 4096

static inline vf sel(vi m, vf a) { return (vf)(m & (vi)a); } /* m ? a : 0 */
static inline vf vmax(vf a, vf b) { /* a > b ? a : b, per lane */
    vi m = a > b;
    return (vf)((m & (vi)a) | (~m & (vi)b));
}
static inline vf vmin(vf a, vf b) { /* a < b ? a : b */
    vi m = a < b;
    return (vf)((m & (vi)a) | (~m & (vi)b));
}
static inline float hmax(vf v) {
    float m = v[0];
    for (int k = 1; k < W; ++k) m = v[k] > m ? v[k] : m;
    return m;
}
static inline float hsum(vf v) {
    float t = 0.f;
    for (int k = 0; k < W; ++k) t += v[k];
    return t;
}
static inline int any(vi m) {
    int r = 0;
    for (int k = 0; k < W; ++k) r |= m[k];
    return r != 0;
}
static inline int n_threads(int64_t planes, int64_t n, int nt) {
    return planes * n < MIN_PARALLEL ? 1 : nt;
}

/* max, first argmax (first NaN if any) and, if with_sum, the sum of
 * clamp(x, 0, cap) of one plane (inlined twice: with and without the sum) */
static inline __attribute__((always_inline)) void stats_impl(
    const float *x, int64_t n, float cap_or_inf, float *mx_out,
    int64_t *ix_out, double *sum, const int with_sum) {
    const vf zero = splat(0.f), hi = splat(cap_or_inf);
    vf m0 = splat(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    vi nan = (vi){0};
    double total = 0.0;
    float mx, tail_sum = 0.f;
    int64_t i = 0, k;
    while (i + STEP <= n) {
        vf s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        int64_t end = i + FLUSH < n ? i + FLUSH : n;
        for (; i + STEP <= end; i += STEP) {
            vf a = ld(x + i), b = ld(x + i + W), c = ld(x + i + 2 * W),
               d = ld(x + i + 3 * W);
            m0 = vmax(a, m0);
            m1 = vmax(b, m1);
            m2 = vmax(c, m2);
            m3 = vmax(d, m3);
            nan |= (a != a) | (b != b) | (c != c) | (d != d);
            if (with_sum) {
                s0 += vmin(vmax(a, zero), hi);
                s1 += vmin(vmax(b, zero), hi);
                s2 += vmin(vmax(c, zero), hi);
                s3 += vmin(vmax(d, zero), hi);
            }
        }
        if (with_sum) total += hsum((s0 + s1) + (s2 + s3));
    }
    mx = hmax(vmax(vmax(m0, m1), vmax(m2, m3)));
    int any_nan = any(nan);
    for (; i < n; ++i) {
        float v = x[i], a = v > 0.f ? v : 0.f;
        mx = v > mx ? v : mx;
        any_nan |= v != v;
        tail_sum += a < cap_or_inf ? a : cap_or_inf;
    }
    if (any_nan) {
        for (k = 0; x[k] == x[k]; ++k) {}
        *mx_out = x[k];
        *ix_out = k;
    } else { /* the plane is in cache: find the first max again */
        const vf mv = splat(mx);
        for (k = 0; k + STEP <= n; k += STEP)
            if (any((ld(x + k) == mv) | (ld(x + k + W) == mv) |
                    (ld(x + k + 2 * W) == mv) | (ld(x + k + 3 * W) == mv)))
                break;
        for (; k < n && x[k] != mx; ++k) {}
        *mx_out = mx;
        *ix_out = k < n ? k : 0; /* all -inf: index 0, as Tensor.max */
    }
    if (with_sum) *sum = total + tail_sum;
}

static void plane_stats(const float *x, int64_t n, int has_cap, float cap,
                        float *mx_out, int64_t *ix_out, double *sum) {
    const float hi = has_cap ? cap : INFINITY;
    if (sum)
        stats_impl(x, n, hi, mx_out, ix_out, sum, 1);
    else
        stats_impl(x, n, hi, mx_out, ix_out, 0, 0);
}

static inline __attribute__((always_inline)) void clamp_impl(
    const float *x, float *out, int64_t n, float cap_or_inf, float t) {
    const vf zero = splat(0.f), tv = splat(t), hi = splat(cap_or_inf);
    int64_t i = 0;
    for (; i + STEP <= n; i += STEP) {
        vf a = ld(x + i), b = ld(x + i + W), c = ld(x + i + 2 * W),
           d = ld(x + i + 3 * W);
        st(out + i, vmin(tv, vmin(vmax(a, zero), hi)));
        st(out + i + W, vmin(tv, vmin(vmax(b, zero), hi)));
        st(out + i + 2 * W, vmin(tv, vmin(vmax(c, zero), hi)));
        st(out + i + 3 * W, vmin(tv, vmin(vmax(d, zero), hi)));
    }
    for (; i < n; ++i) {
        float a = x[i] > 0.f ? x[i] : 0.f;
        a = a < cap_or_inf ? a : cap_or_inf;
        out[i] = t < a ? t : a;
    }
}

/* out = min(clamp(x, 0, cap), t); a NaN threshold gives a NaN plane */
static void plane_clamp(const float *x, float *out, int64_t n, int has_cap,
                        float cap, float t) {
    int64_t i;
    if (t != t) {
        for (i = 0; i < n; ++i) out[i] = t;
    } else if (has_cap && t > cap) { /* only with delta > 1 */
        clamp_impl(x, out, n, cap, t);
    } else { /* t <= cap: the cap changes nothing */
        clamp_impl(x, out, n, INFINITY, t);
    }
}

static inline float clamp_max(float mx, int has_cap, float cap) {
    if (mx != mx) return mx;
    float m = mx > 0.f ? mx : 0.f;
    return has_cap && m > cap ? cap : m;
}

/* fixed delta: statistics and output per plane; out may be x */
void drs_forward_fixed(const float *x, float *out, int64_t planes, int64_t n,
                       int has_cap, float cap, float delta, float *x_max,
                       int64_t *idx, float *thr, int nt) {
    int64_t p;
#pragma omp parallel for schedule(static) num_threads(n_threads(planes, n, nt))
    for (p = 0; p < planes; ++p) {
        plane_stats(x + p * n, n, has_cap, cap, x_max + p, idx + p, 0);
        thr[p] = delta * clamp_max(x_max[p], has_cap, cap);
        plane_clamp(x + p * n, out + p * n, n, has_cap, cap, thr[p]);
    }
}

/* learnable: statistics (and the sums of the controller's GAP) first */
void drs_stats(const float *x, int64_t planes, int64_t n, int has_cap,
               float cap, float *x_max, int64_t *idx, double *act_sum,
               int nt) {
    int64_t p;
#pragma omp parallel for schedule(static) num_threads(n_threads(planes, n, nt))
    for (p = 0; p < planes; ++p)
        plane_stats(x + p * n, n, has_cap, cap, x_max + p, idx + p,
                    act_sum ? act_sum + p : 0);
}

void drs_clamp(const float *x, float *out, int64_t planes, int64_t n,
               int has_cap, float cap, const float *thr, int nt) {
    int64_t p;
#pragma omp parallel for schedule(static) num_threads(n_threads(planes, n, nt))
    for (p = 0; p < planes; ++p)
        plane_clamp(x + p * n, out + p * n, n, has_cap, cap, thr[p]);
}

/* Backward of one plane. s: the saved output (or input); clipped: s >= t,
 * passed: 0 < s < t. Returns the sum of g over the clipped pixels. If gx is
 * not NULL it gets g on the passed pixels (0 elsewhere) plus gg on every
 * pixel with 0 < s < hi (the controller's GAP term; gg = 0: none). */
static double plane_backward(const float *g, const float *s, float *gx,
                             int64_t n, float t, float gg, float hi) {
    const vf zero = splat(0.f), tv = splat(t), hv = splat(hi),
             gv = splat(gg);
    vf c0 = zero, c1 = zero;
    double total = 0.0;
    float tail = 0.f;
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
        vf sa = ld(s + i), sb = ld(s + i + W);
        vf ga = ld(g + i), gb = ld(g + i + W);
        vi ka = sa >= tv, kb = sb >= tv;
        c0 += sel(ka, ga);
        c1 += sel(kb, gb);
        if (gx) {
            vi pa = (sa > zero) & ~ka, pb = (sb > zero) & ~kb;
            vf oa = sel(pa, ga), ob = sel(pb, gb);
            if (gg != 0.f) {
                oa += sel((sa > zero) & (sa < hv), gv);
                ob += sel((sb > zero) & (sb < hv), gv);
            }
            st(gx + i, oa);
            st(gx + i + W, ob);
        }
        if (i % FLUSH == FLUSH - 2 * W) {
            total += hsum(c0 + c1);
            c0 = c1 = zero;
        }
    }
    for (; i < n; ++i) {
        float sv = s[i], v;
        tail += sv >= t ? g[i] : 0.f;
        if (gx) {
            v = (sv > 0.f && !(sv >= t)) ? g[i] : 0.f;
            if (gg != 0.f) v += (sv > 0.f && sv < hi) ? gg : 0.f;
            gx[i] = v;
        }
    }
    return total + hsum(c0 + c1) + tail;
}

/* Backward over all planes: clip_sum[p] (if not NULL) and gx (if not NULL,
 * with g_gap[p] on the GAP's pixels when g_gap is not NULL; gap_cap: only
 * below cap). */
void drs_backward(const float *g, const float *s, float *gx, int64_t planes,
                  int64_t n, const float *thr, double *clip_sum,
                  const float *g_gap, int gap_cap, float cap, int nt) {
    int64_t p;
    const float hi = gap_cap ? cap : INFINITY;
#pragma omp parallel for schedule(static) num_threads(n_threads(planes, n, nt))
    for (p = 0; p < planes; ++p) {
        double c = plane_backward(g + p * n, s + p * n, gx ? gx + p * n : 0,
                                  n, thr[p], g_gap ? g_gap[p] : 0.f, hi);
        if (clip_sum) clip_sum[p] = c;
    }
}
