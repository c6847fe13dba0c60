/* A CPU-bound, deterministic mix of integer work for comparing emulators: pointer chasing
   and merge sort on a linked list, integer matrix products, a token-classifying state
   machine, and CRCs binding every result into one checksum. No floating point, no libc,
   no timer reads: the instruction count depends only on BENCH_ITERS. The platform (bare
   metal or a Linux process) provides plat_write and calls bench_main. */
#include <stdint.h>
#include <stddef.h>

#ifndef BENCH_ITERS
#define BENCH_ITERS 100
#endif

void plat_write(const char *s, size_t n);

/* GCC may turn loops into calls to these even with -ffreestanding. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 16);
}

/* ---- CRC: bitwise CRC-16/CCITT (branchy) and table-driven CRC-32 (loads) ---- */

static uint16_t crc16_byte(uint16_t crc, uint8_t b)
{
    crc ^= (uint16_t)(b << 8);
    for (int i = 0; i < 8; i++)
        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    return crc;
}

static uint16_t crc16_u32(uint16_t crc, uint32_t v)
{
    for (int i = 0; i < 4; i++) crc = crc16_byte(crc, (uint8_t)(v >> (8 * i)));
    return crc;
}

static uint32_t crc32_table[256];

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc32_table[i] = c;
    }
}

static uint32_t crc32_buf(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- Linked list: 64 KiB of nodes linked in a scattered order ---- */

#define NODES 4096
struct node {
    struct node *next;
    uint32_t key;
    uint32_t val;
};
static struct node pool[NODES];

static struct node *list_build(uint32_t stride)
{
    /* stride is odd and NODES a power of two, so i*stride visits every slot once. */
    struct node *head = NULL;
    for (uint32_t i = 0; i < NODES; i++) {
        struct node *n = &pool[(i * stride) & (NODES - 1)];
        n->key = rng();
        n->val = i;
        n->next = head;
        head = n;
    }
    return head;
}

static struct node *list_merge(struct node *a, struct node *b, int by_val)
{
    struct node dummy, *t = &dummy;
    while (a && b) {
        int take_a = by_val ? a->val <= b->val : a->key <= b->key;
        if (take_a) { t->next = a; a = a->next; }
        else        { t->next = b; b = b->next; }
        t = t->next;
    }
    t->next = a ? a : b;
    return dummy.next;
}

/* Bottom-up merge sort: a pass merges runs of width w into runs of 2w. */
static struct node *list_sort(struct node *head, int by_val)
{
    for (uint32_t w = 1; ; w <<= 1) {
        struct node *rest = head, *out = NULL, **tail = &out;
        int merges = 0;
        while (rest) {
            struct node *a = rest, *b, *p = a;
            for (uint32_t i = 1; i < w && p->next; i++) p = p->next;
            b = p->next;
            p->next = NULL;
            p = b;
            for (uint32_t i = 1; i < w && p && p->next; i++) p = p->next;
            if (p) { rest = p->next; p->next = NULL; } else rest = NULL;
            *tail = list_merge(a, b, by_val);
            while (*tail) tail = &(*tail)->next;
            merges++;
        }
        head = out;
        if (merges <= 1) return head;
    }
}

static struct node *list_reverse(struct node *h)
{
    struct node *prev = NULL;
    while (h) {
        struct node *n = h->next;
        h->next = prev;
        prev = h;
        h = n;
    }
    return prev;
}

static uint32_t list_work(uint32_t iter)
{
    struct node *h = list_build((iter * 2654435761u) | 1);
    h = list_sort(h, 0);
    uint32_t sum = 0, inversions = 0, last = 0, lo = rng(), hi = lo + 0x10000000u;
    int found = 0;
    for (struct node *n = h; n; n = n->next) {
        if (n->key < last) inversions++;
        last = n->key;
        sum = sum * 31 + n->val;
        if (n->key >= lo && n->key < hi) { found++; n->val ^= n->key >> 20; }
    }
    h = list_reverse(h);
    h = list_sort(h, 1);
    uint32_t pos = 0;
    for (struct node *n = h; n; n = n->next, pos++) sum += (n->val ^ pos) * (pos | 1);
    return sum ^ (inversions << 24) ^ ((uint32_t)found << 8);
}

/* ---- Matrices: C = A*B, scaled and masked, fed back into A ---- */

#define MN 40
static uint32_t ma[MN][MN], mb[MN][MN], mc[MN][MN];

static void matrix_init(void)
{
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            ma[i][j] = rng() & 0xffff;
            mb[i][j] = rng() & 0xffff;
        }
}

static uint32_t matrix_work(uint32_t iter)
{
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            uint32_t s = 0;
            for (int k = 0; k < MN; k++) s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    uint32_t acc = 0;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            uint32_t v = mc[i][j] * 3 + iter;
            acc += (v >> 5) & 0x7f;
            if (v & 0x100) acc ^= v;
            ma[i][j] = (v >> 7) & 0xffff;
        }
    /* Transpose B in place so the next product walks it the other way. */
    for (int i = 0; i < MN; i++)
        for (int j = i + 1; j < MN; j++) {
            uint32_t t = mb[i][j];
            mb[i][j] = mb[j][i];
            mb[j][i] = (t + iter) & 0xffff;
        }
    return crc32_buf(acc, (const uint8_t *)mc, sizeof mc);
}

/* ---- State machine: classify comma-separated tokens as numbers of various shapes ---- */

enum state { S_START, S_SIGN, S_INT, S_HEXPFX, S_HEX, S_DOT, S_FRAC, S_EXP, S_EXPSIGN, S_SCI,
             S_BAD, S_COUNT };

#define TEXT 4096
static uint8_t text[TEXT];
static const char alphabet[] = "0123456789012345678901234567..--++eEx,,,,ab";

static void text_init(void)
{
    for (int i = 0; i < TEXT; i++) text[i] = (uint8_t)alphabet[rng() % (sizeof alphabet - 1)];
}

static enum state step(enum state s, uint8_t c)
{
    int digit = c >= '0' && c <= '9';
    int hexdigit = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    switch (s) {
    case S_START:
        if (c == '+' || c == '-') return S_SIGN;
        if (c == '0') return S_HEXPFX;
        if (digit) return S_INT;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_SIGN:
        if (digit) return S_INT;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_HEXPFX:
        if (c == 'x') return S_HEX;
        if (digit) return S_INT;
        if (c == '.') return S_DOT;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_INT:
        if (digit) return S_INT;
        if (c == '.') return S_DOT;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_HEX:
        return hexdigit ? S_HEX : S_BAD;
    case S_DOT:
    case S_FRAC:
        if (digit) return S_FRAC;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_EXP:
        if (c == '+' || c == '-') return S_EXPSIGN;
        return digit ? S_SCI : S_BAD;
    case S_EXPSIGN:
    case S_SCI:
        return digit ? S_SCI : S_BAD;
    default:
        return S_BAD;
    }
}

static uint32_t fsm_work(uint32_t iter)
{
    uint32_t finals[S_COUNT] = { 0 }, transitions = 0;
    enum state s = S_START;
    for (int i = 0; i < TEXT; i++) {
        uint8_t c = text[i];
        if (c == ',') {
            finals[s]++;
            s = S_START;
            continue;
        }
        enum state n = step(s, c);
        if (n != s) transitions++;
        s = n;
    }
    finals[s]++;
    /* Mutate a few characters so the next pass sees different tokens. */
    for (int k = 0; k < 64; k++) {
        uint32_t r = rng();
        text[r % TEXT] = (uint8_t)alphabet[(r >> 16) % (sizeof alphabet - 1)];
    }
    uint16_t crc = (uint16_t)iter;
    for (int i = 0; i < S_COUNT; i++) crc = crc16_u32(crc, finals[i]);
    return crc16_u32(crc, transitions) | (transitions << 16);
}

/* ---- Driver ---- */

static void put_str(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    plat_write(s, n);
}

static void put_u(const char *label, uint32_t v, int hex)
{
    char b[16];
    int n = 0;
    if (hex) {
        for (int i = 7; i >= 0; i--) b[n++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
    } else {
        char t[12];
        int k = 0;
        do { t[k++] = (char)('0' + v % 10); v /= 10; } while (v);
        while (k) b[n++] = t[--k];
    }
    put_str(label);
    plat_write(b, (size_t)n);
}

int bench_main(void)
{
    rng_state = 0x9e3779b97f4a7c15ull;
    crc32_init();
    matrix_init();
    text_init();
    uint16_t crc = 0xffff;
    uint32_t crc32 = 0;
    for (uint32_t it = 0; it < BENCH_ITERS; it++) {
        uint32_t l = list_work(it);
        uint32_t m = matrix_work(it);
        uint32_t f = fsm_work(it);
        crc = crc16_u32(crc16_u32(crc16_u32(crc, l), m), f);
        crc32 = crc32_buf(crc32, (const uint8_t *)&l, 4) ^ m ^ f;
    }
    put_u("bench: iterations ", BENCH_ITERS, 0);
    put_u(" checksum ", ((uint32_t)crc << 16) ^ crc32, 1);
    put_str("\n");
    return 0;
}
