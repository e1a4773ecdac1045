/*
 * The float vectors of mmdrs's CPU kernels (drs_cpu.c, depthwise_cpu.c):
 * GCC/Clang vector extensions at the widest width the build's -march
 * allows, with unaligned loads and stores (memcpy: no aliasing or
 * alignment assumptions, compiled to one vector move).
 */
#ifndef MMDRS_VEC_H
#define MMDRS_VEC_H
#include <string.h>

#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16
#endif
typedef float vf __attribute__((vector_size(VBYTES)));
#define W (VBYTES / 4) /* floats per vector */

static inline vf ld(const float *p) {
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void st(float *p, vf v) { memcpy(p, &v, sizeof v); }
static inline vf splat(float a) { return (vf){0} + a; }

#endif
