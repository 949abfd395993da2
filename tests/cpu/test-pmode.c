/*
 * Unit tests of the software CPU on a test bus (1 MiB of RAM, an empty
 * I/O space): the decoder's instruction lengths for a set of encodings,
 * lazy flags, real-to-protected mode, exceptions with error codes, a
 * privilege change through IRET and an interrupt gate, a triple fault,
 * paging with a page fault; and the interpreter's speed on a simple loop
 * (printed, not asserted).
 *
 * Code is hand-assembled; each byte string says what it encodes.
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"

#define RAM_SIZE (1 * MiB)
#define CODE 0x7000
#define GDTR 0x8000
#define GDT 0x8100
#define TSS 0x8200
#define IDT 0x8400
#define TSS2 0x8300
#define HANDLER 0x7100

static MemoryRegion ram_mr, mem_root, io_root;
static X86CPU cpu;

static void put(uint32_t addr, const void *bytes, size_t n)
{
    g_assert_cmpuint(addr + n, <=, RAM_SIZE);
    memcpy(ram_mr.host + addr, bytes, n);
}

static void put32(uint32_t addr, uint32_t v)
{
    put(addr, &v, 4);
}

static uint32_t get32(uint32_t addr)
{
    uint32_t v;

    memcpy(&v, ram_mr.host + addr, 4);
    return v;
}

static void bus_init(void)
{
    static bool done;
    Error *err = NULL;

    if (!done) {
        memory_region_init_container(&mem_root, "memory", UINT64_MAX);
        g_assert_true(memory_region_init_ram(&ram_mr, "ram", RAM_SIZE, &err));
        memory_region_add_subregion(&mem_root, 0, &ram_mr, 0);
        address_space_init(&address_space_memory, &mem_root, "memory");
        memory_region_init_container(&io_root, "io", 0x10000);
        address_space_init(&address_space_io, &io_root, "I/O");
        done = true;
    }
    memset(ram_mr.host, 0, RAM_SIZE);
}

/* Real mode at 0000:CODE. */
static void real_mode(void)
{
    bus_init();
    x86_cpu_reset(&cpu);
    cpu.segs[R_CS].selector = 0;
    cpu.segs[R_CS].base = 0;
    cpu.rip = CODE;
    cpu.regs[R_ESP] = 0x6000;
    x86_cpu_flush_caches(&cpu);
}

static void gdt_entry(unsigned sel, uint32_t lo, uint32_t hi)
{
    put32(GDT + sel, lo);
    put32(GDT + sel + 4, hi);
}

static void idt_gate(unsigned vec, uint32_t off, uint16_t sel, uint8_t type)
{
    put32(IDT + vec * 8, (sel << 16) | (off & 0xffff));
    put32(IDT + vec * 8 + 4, (off & 0xffff0000) | (type << 8));
}

/* Flat GDT: 08 code32, 10 data32, 18 code32 DPL3, 20 data32 DPL3,
 * 28 a 32-bit TSS. */
static void build_gdt(void)
{
    uint8_t gdtr[6] = { 0x37, 0, GDT & 0xff, GDT >> 8, 0, 0 };

    put(GDTR, gdtr, sizeof(gdtr));
    gdt_entry(0x08, 0x0000ffff, 0x00cf9a00);
    gdt_entry(0x10, 0x0000ffff, 0x00cf9200);
    gdt_entry(0x18, 0x0000ffff, 0x00cffa00);
    gdt_entry(0x20, 0x0000ffff, 0x00cff200);
    gdt_entry(0x28, (TSS << 16) | 0x80, 0x00008900);
    gdt_entry(0x30, (TSS2 << 16) | 0x67, 0x00008900);
    put32(TSS + 4, 0x9000);     /* ESP0 */
    put32(TSS + 8, 0x10);       /* SS0 */
    /* I/O permission bitmap at 68h: port 81h denied, the rest of the
     * first 16 bytes allowed. */
    put32(TSS + 0x64, 0x68 << 16);
    put32(TSS + 0x68 + 0x10, 0x0002);
}

static void flat(SegmentCache *sc, uint16_t sel, unsigned type, unsigned dpl)
{
    sc->selector = sel;
    sc->base = 0;
    sc->limit = 0xffffffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | DESC_B_MASK | DESC_G_MASK |
                (dpl << DESC_DPL_SHIFT) | (type << DESC_TYPE_SHIFT);
}

/* 32-bit protected mode, ring 0, flat, IDT at IDT with 256 entries. */
static void prot_mode(void)
{
    unsigned k;

    real_mode();
    build_gdt();
    cpu.cr[0] |= CR0_PE;
    cpu.gdt.base = GDT;
    cpu.gdt.limit = 0x37;
    cpu.idt.base = IDT;
    cpu.idt.limit = 0x7ff;
    flat(&cpu.segs[R_CS], 0x08, 0xb, 0);
    for (k = 0; k < 6; k++) {
        if (k != R_CS) {
            flat(&cpu.segs[k], 0x10, 0x3, 0);
        }
    }
    cpu.regs[R_ESP] = 0x9000;
}

static X86ExecExit run(void)
{
    X86ExecExit r = x86_cpu_exec(&cpu, 100000);

    return r;
}

/* ---- decoder ---- */

typedef struct LenCase {
    const char *what;
    bool code32;
    unsigned len;
    uint8_t bytes[15];
} LenCase;

static const LenCase len_cases[] = {
    { "nop", false, 1, { 0x90 } },
    { "o32 nop", false, 2, { 0x66, 0x90 } },
    { "mov ax,[si]", false, 2, { 0x8b, 0x04 } },
    { "mov ax,[si+10h]", false, 3, { 0x8b, 0x44, 0x10 } },
    { "mov ax,[si+1234h]", false, 4, { 0x8b, 0x84, 0x34, 0x12 } },
    { "mov ax,[1234h]", false, 4, { 0x8b, 0x06, 0x34, 0x12 } },
    { "mov eax,[esp]", true, 3, { 0x8b, 0x04, 0x24 } },
    { "mov eax,[12345678h]", true, 6, { 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 } },
    { "mov eax,[esp+8]", true, 4, { 0x8b, 0x44, 0x24, 0x08 } },
    { "mov eax,[esp+100h]", true, 7, { 0x8b, 0x84, 0x24, 0, 1, 0, 0 } },
    { "mov eax,[ebp*2+0]", true, 7, { 0x8b, 0x04, 0x6d, 0, 0, 0, 0 } },
    { "a16 mov eax,[bx]", true, 3, { 0x67, 0x8b, 0x07 } },
    { "mov word [bx+si],1234h", false, 4, { 0xc7, 0x00, 0x34, 0x12 } },
    { "mov dword [eax],imm32", true, 6, { 0xc7, 0x00, 1, 2, 3, 4 } },
    { "o16 mov word [eax],imm16", true, 5, { 0x66, 0xc7, 0x00, 1, 2 } },
    { "jmp far ptr16:16", false, 5, { 0xea, 0, 0, 0, 0xf0 } },
    { "jmp far ptr16:32", true, 7, { 0xea, 0, 0, 0, 0, 8, 0 } },
    { "enter 10h,1", false, 4, { 0xc8, 0x10, 0x00, 0x01 } },
    { "test al,12h", false, 3, { 0xf6, 0xc0, 0x12 } },
    { "not al", false, 2, { 0xf6, 0xd0 } },
    { "test eax,imm32", true, 6, { 0xf7, 0xc0, 1, 2, 3, 4 } },
    { "jz rel32", true, 6, { 0x0f, 0x84, 1, 2, 3, 4 } },
    { "jz rel16", false, 4, { 0x0f, 0x84, 1, 2 } },
    { "movzx eax,al", true, 3, { 0x0f, 0xb6, 0xc0 } },
    { "bt eax,5", true, 4, { 0x0f, 0xba, 0xe0, 0x05 } },
    { "mov ax,[moffs16]", false, 3, { 0xa1, 0x34, 0x12 } },
    { "a32 mov ax,[moffs32]", false, 6, { 0x67, 0xa1, 1, 2, 3, 4 } },
    { "rep movsw", false, 2, { 0xf3, 0xa5 } },
    { "es mov ax,[bx]", false, 3, { 0x26, 0x8b, 0x07 } },
    { "lgdt [eax]", true, 3, { 0x0f, 0x01, 0x10 } },
    { "imul ax,[bx],5", false, 3 + 0, { 0x6b, 0x07, 0x05 } },
    { "imul eax,[ebx],imm32", true, 6, { 0x69, 0x03, 1, 2, 3, 4 } },
    { "shld eax,ebx,3", true, 4, { 0x0f, 0xa4, 0xd8, 0x03 } },
    { "cmpxchg8b [esi]", true, 3, { 0x0f, 0xc7, 0x0e } },
    { "fld dword [bx]", false, 2, { 0xd9, 0x07 } },
    { "aam", false, 2, { 0xd4, 0x0a } },
    { "in al,61h", false, 2, { 0xe4, 0x61 } },
    { "call rel16", false, 3, { 0xe8, 1, 2 } },
    { "push imm8", true, 2, { 0x6a, 0x80 } },
    { "mov cr0,eax", true, 3, { 0x0f, 0x22, 0xc0 } },
};

static void test_decode_lengths(void)
{
    unsigned k;

    for (k = 0; k < ARRAY_SIZE(len_cases); k++) {
        const LenCase *c = &len_cases[k];
        X86Insn i;
        int n = x86_decode_bytes(c->bytes, c->len, c->code32, &i);
        if (n != (int)c->len) {
            g_test_message("%s: decoded %d bytes, want %u", c->what, n,
                           c->len);
        }
        g_assert_cmpint(n, ==, c->len);
        g_assert_nonnull(i.op);
    }
}

/* Every cell that names an instruction has a handler or a group, and
 * group cells with handlers carry their names. */
static void test_decode_table(void)
{
    unsigned k, g;
    const X86OpEntry *maps[] = { x86_map1, x86_map2 };

    for (k = 0; k < 2 * 256; k++) {
        const X86OpEntry *e = &maps[k / 256][k % 256];
        if (e->flags & X_GROUP) {
            g_assert_nonnull(e->group);
            for (g = 0; g < 8; g++) {
                if (e->group[g].fn) {
                    g_assert_nonnull(e->group[g].name);
                }
            }
        } else if (e->fn) {
            g_assert_nonnull(e->name);
        }
    }
    /* Too long: 15 prefixes then an opcode. */
    {
        uint8_t b[16];
        X86Insn i;
        memset(b, 0x66, 15);
        b[15] = 0x90;
        g_assert_cmpint(x86_decode_bytes(b, 16, false, &i), ==, 0);
    }
}

/* ---- lazy flags, through PUSHF ---- */

static uint32_t flags_after(const uint8_t *code, size_t n)
{
    static const uint8_t tail[] = { 0x9c, 0x58, 0xf4 };   /* pushf pop ax hlt */

    real_mode();
    put(CODE, code, n);
    put(CODE + n, tail, sizeof(tail));
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    return cpu.regs[R_EAX] & 0x8d5;
}

static void test_lazy_flags(void)
{
    /* mov al,7fh; add al,1: OF SF AF */
    static const uint8_t add[] = { 0xb0, 0x7f, 0x04, 0x01 };
    /* mov al,0; sub al,1: CF SF AF PF */
    static const uint8_t sub[] = { 0xb0, 0x00, 0x2c, 0x01 };
    /* stc; mov al,0ffh; inc al: CF kept, ZF AF PF */
    static const uint8_t inc[] = { 0xf9, 0xb0, 0xff, 0xfe, 0xc0 };
    /* mov ax,8000h; dec ax: OF AF PF (7fff: PF of 0xff) */
    static const uint8_t dec[] = { 0xb8, 0x00, 0x80, 0x48 };
    /* stc; mov al,1; adc al,0feh: CF ZF AF PF */
    static const uint8_t adc[] = { 0xf9, 0xb0, 0x01, 0x14, 0xfe };
    /* mov al,0f0h; and al,0fh: ZF PF, CF OF cleared */
    static const uint8_t and_[] = { 0xf9, 0xb0, 0xf0, 0x24, 0x0f };
    /* mov ax,1; shl ax,15 (c1 e0 0f): SF PF(00), CF 0, result 8000 */
    static const uint8_t shl[] = { 0xb8, 0x01, 0x00, 0xc1, 0xe0, 0x0f };

    g_assert_cmphex(flags_after(add, sizeof(add)), ==, CC_O | CC_S | CC_A);
    g_assert_cmphex(flags_after(sub, sizeof(sub)), ==,
                    CC_C | CC_S | CC_A | CC_P);
    g_assert_cmphex(flags_after(inc, sizeof(inc)), ==,
                    CC_C | CC_Z | CC_A | CC_P);
    g_assert_cmphex(flags_after(dec, sizeof(dec)), ==, CC_O | CC_A | CC_P);
    g_assert_cmphex(flags_after(adc, sizeof(adc)), ==,
                    CC_C | CC_Z | CC_A | CC_P);
    g_assert_cmphex(flags_after(and_, sizeof(and_)), ==, CC_Z | CC_P);
    g_assert_cmphex(flags_after(shl, sizeof(shl)) & (CC_C | CC_S | CC_Z),
                    ==, CC_S);
}

/* ---- protected mode ---- */

static void test_real_to_prot(void)
{
    static const uint8_t code[] = {
        0x0f, 0x01, 0x16, GDTR & 0xff, GDTR >> 8,   /* lgdt [GDTR] */
        0x0f, 0x20, 0xc0,                           /* mov eax,cr0 */
        0x0c, 0x01,                                 /* or al,1 */
        0x0f, 0x22, 0xc0,                           /* mov cr0,eax */
        0x66, 0xea, 0x15, 0x70, 0, 0, 0x08, 0,      /* jmp dword 08:7015 */
        0x66, 0xb8, 0x10, 0x00,                     /* 7015: mov ax,10h */
        0x8e, 0xd8,                                 /* mov ds,eax */
        0x8e, 0xd0,                                 /* mov ss,eax */
        0xbc, 0x00, 0x90, 0x00, 0x00,               /* mov esp,9000h */
        0xa1, 0x00, 0x80, 0x00, 0x00,               /* mov eax,[8000h] */
        0xf4,                                       /* hlt */
    };

    real_mode();
    build_gdt();
    put(CODE, code, sizeof(code));
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.segs[R_CS].selector, ==, 0x08);
    g_assert_true(cpu.segs[R_CS].flags & DESC_B_MASK);
    g_assert_cmphex(cpu.segs[R_CS].limit, ==, 0xffffffff);
    g_assert_cmphex(cpu.segs[R_DS].selector, ==, 0x10);
    g_assert_cmphex(cpu.regs[R_ESP], ==, 0x9000);
    g_assert_cmphex(cpu.regs[R_EAX], ==, (uint32_t)((GDT << 16) | 0x37));
    g_assert_cmphex(cpu.rip, ==, CODE + sizeof(code));
    /* The accessed bit of the loaded descriptors was set. */
    g_assert_true(get32(GDT + 0x08 + 4) & 0x100);
    g_assert_true(get32(GDT + 0x10 + 4) & 0x100);
}

static void test_gp_error_code(void)
{
    static const uint8_t code[] = {
        0x66, 0xb8, 0x50, 0x00,     /* mov ax,50h (beyond the GDT limit) */
        0x8e, 0xd8,                 /* mov ds,eax -> #GP(50h) */
        0xf4,
    };
    static const uint8_t handler[] = {
        0x58,                       /* pop eax: the error code */
        0x5b,                       /* pop ebx: the faulting EIP */
        0xf4,
    };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(EXCP_GP, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0x50);
    g_assert_cmphex(cpu.regs[R_EBX], ==, CODE + 4);
    g_assert_cmphex(cpu.segs[R_DS].selector, ==, 0x10);
}

static void test_ring3_and_back(void)
{
    static const uint8_t code[] = {
        0x66, 0xb8, 0x28, 0x00,             /* mov ax,28h */
        0x0f, 0x00, 0xd8,                   /* ltr ax */
        0x6a, 0x23,                         /* push 23h (SS) */
        0x68, 0x00, 0xa0, 0x00, 0x00,       /* push 0a000h (ESP) */
        0x9c,                               /* pushf */
        0x6a, 0x1b,                         /* push 1bh (CS) */
        0x68, 0x20, 0x70, 0x00, 0x00,       /* push 7020h (EIP) */
        0xcf,                               /* iret */
    };
    static const uint8_t user[] = {
        0xcd, 0x80,                         /* 7020: int 80h */
    };
    static const uint8_t handler[] = {
        0x8b, 0x44, 0x24, 0x04,             /* mov eax,[esp+4]: CS */
        0x8b, 0x5c, 0x24, 0x10,             /* mov ebx,[esp+16]: SS */
        0x8b, 0x54, 0x24, 0x0c,             /* mov edx,[esp+12]: ESP */
        0x89, 0xe1,                         /* mov ecx,esp */
        0xf4,
    };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(0x7020, user, sizeof(user));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(0x80, HANDLER, 0x08, 0xee);        /* DPL 3 interrupt gate */
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0x1b);
    g_assert_cmphex(cpu.regs[R_EBX], ==, 0x23);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0xa000);
    g_assert_cmphex(cpu.regs[R_ECX], ==, 0x9000 - 20);
    g_assert_cmphex(cpu.segs[R_SS].selector, ==, 0x10);
    g_assert_cmpint(x86_cpl(&cpu), ==, 0);
    /* LTR marked the TSS busy. */
    g_assert_cmphex((get32(GDT + 0x28 + 4) >> 8) & 0xf, ==, 0xb);
}

static void test_int_gate_dpl(void)
{
    /* INT 80h from ring 3 through a DPL 0 gate is #GP(80h * 8 + 2). */
    static const uint8_t code[] = {
        0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8,
        0x6a, 0x23, 0x68, 0x00, 0xa0, 0x00, 0x00, 0x9c, 0x6a, 0x1b,
        0x68, 0x20, 0x70, 0x00, 0x00, 0xcf,
    };
    static const uint8_t user[] = { 0xcd, 0x80 };
    static const uint8_t handler[] = { 0x58, 0xf4 };    /* pop eax; hlt */

    prot_mode();
    put(CODE, code, sizeof(code));
    put(0x7020, user, sizeof(user));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(0x80, 0x7200, 0x08, 0x8e);
    idt_gate(EXCP_GP, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0x80 * 8 + 2);
}

static void test_task_switch(void)
{
    static const uint8_t code[] = {
        0x66, 0xb8, 0x28, 0x00,             /* mov ax,28h */
        0x0f, 0x00, 0xd8,                   /* ltr ax */
        0xea, 0, 0, 0, 0, 0x30, 0x00,       /* 7007: jmp 30h:0 (TSS) */
    };
    static const uint8_t task[] = { 0xf4 };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(0x7200, task, sizeof(task));
    put32(TSS2 + 0x20, 0x7200);             /* EIP */
    put32(TSS2 + 0x24, 0x2);                /* EFLAGS */
    put32(TSS2 + 0x28, 0x1234);             /* EAX */
    put32(TSS2 + 0x38, 0x9800);             /* ESP */
    put32(TSS2 + 0x48, 0x10);               /* ES */
    put32(TSS2 + 0x4c, 0x08);               /* CS */
    put32(TSS2 + 0x50, 0x10);               /* SS */
    put32(TSS2 + 0x54, 0x10);               /* DS */
    cpu.regs[R_EBX] = 0x5678;
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.tr.selector, ==, 0x30);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0x1234);
    g_assert_cmphex(cpu.regs[R_ESP], ==, 0x9800);
    g_assert_cmphex(cpu.rip, ==, 0x7201);
    g_assert_true(cpu.cr[0] & CR0_TS);
    /* The old task saved EIP after the JMP and EBX; busy bits moved. */
    g_assert_cmphex(get32(TSS + 0x20), ==, 0x700e);
    g_assert_cmphex(get32(TSS + 0x34), ==, 0x5678);
    g_assert_cmphex((get32(GDT + 0x28 + 4) >> 8) & 0xf, ==, 0x9);
    g_assert_cmphex((get32(GDT + 0x30 + 4) >> 8) & 0xf, ==, 0xb);
}

static void test_io_bitmap(void)
{
    static const uint8_t code[] = {
        0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8,
        0x6a, 0x23, 0x68, 0x00, 0xa0, 0x00, 0x00, 0x9c, 0x6a, 0x1b,
        0x68, 0x20, 0x70, 0x00, 0x00, 0xcf,
    };
    static const uint8_t user[] = {
        0xb0, 0x00,                 /* mov al,0 */
        0xe4, 0x80,                 /* in al,80h: allowed */
        0x88, 0xc3,                 /* mov bl,al */
        0xe4, 0x81,                 /* in al,81h: #GP(0) */
        0xf4,
    };
    static const uint8_t handler[] = { 0x58, 0x5a, 0xf4 };  /* pop eax, edx */

    prot_mode();
    put(CODE, code, sizeof(code));
    put(0x7020, user, sizeof(user));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(EXCP_GP, HANDLER, 0x08, 0x8e);
    cpu.regs[R_EBX] = 0;
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EBX] & 0xff, ==, 0xff);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0x7026);
}

static void test_vm86_int(void)
{
    /* IRET to virtual-8086 mode (IOPL 0); INT 21h there is #GP(0) in
     * ring 0, with the V86 data segments pushed and then zeroed. */
    static const uint8_t code[] = {
        0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8,       /* ltr 28h */
        0x6a, 0x00,                         /* push gs = 0 */
        0x6a, 0x00,                         /* push fs = 0 */
        0x6a, 0x00,                         /* push ds = 0 */
        0x68, 0x34, 0x12, 0x00, 0x00,       /* push es = 1234h */
        0x68, 0x00, 0x05, 0x00, 0x00,       /* push ss = 0500h */
        0x68, 0x00, 0x01, 0x00, 0x00,       /* push esp = 0100h */
        0x68, 0x02, 0x00, 0x02, 0x00,       /* push eflags = VM | 2 */
        0x68, 0x00, 0x0a, 0x00, 0x00,       /* push cs = 0a00h */
        0x68, 0x00, 0x00, 0x00, 0x00,       /* push eip = 0 */
        0xcf,                               /* iret */
    };
    static const uint8_t v86[] = { 0xcd, 0x21 };         /* int 21h */
    static const uint8_t handler[] = {
        0x58,                       /* pop eax: error code */
        0x8b, 0x5c, 0x24, 0x04,     /* mov ebx,[esp+4]: CS */
        0x8b, 0x4c, 0x24, 0x14,     /* mov ecx,[esp+20]: ES */
        0x8b, 0x54, 0x24, 0x08,     /* mov edx,[esp+8]: EFLAGS */
        0xf4,
    };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(0xa000, v86, sizeof(v86));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(EXCP_GP, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0);
    g_assert_cmphex(cpu.regs[R_EBX], ==, 0x0a00);
    g_assert_cmphex(cpu.regs[R_ECX], ==, 0x1234);
    g_assert_true(cpu.regs[R_EDX] & VM_MASK);
    g_assert_false(cpu.rflags & VM_MASK);
    g_assert_cmphex(cpu.segs[R_ES].selector, ==, 0);
    g_assert_cmphex(cpu.regs[R_ESP], ==, 0x9000 - 40 + 4);
}

static void test_triple_fault(void)
{
    static const uint8_t code[] = { 0x0f, 0x0b };   /* ud2 */

    prot_mode();
    cpu.idt.limit = 0;
    put(CODE, code, sizeof(code));
    g_assert_cmpint(run(), ==, X86_EXIT_SHUTDOWN);
}

static void test_double_fault(void)
{
    /* #GP whose gate is not present -> #NP, contributory twice -> #DF. */
    static const uint8_t code[] = { 0x66, 0xb8, 0x50, 0x00, 0x8e, 0xd8 };
    static const uint8_t handler[] = { 0x58, 0xf4 };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(HANDLER, handler, sizeof(handler));
    idt_gate(EXCP_GP, 0x7200, 0x08, 0x0e);      /* not present */
    idt_gate(EXCP_DF, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0);
    g_assert_cmphex(cpu.rip, ==, HANDLER + 2);
}

static void test_paging_fault(void)
{
    static const uint8_t code[] = {
        0x0f, 0x20, 0xe0, 0x0c, 0x10, 0x0f, 0x22, 0xe0,   /* cr4 |= PSE */
        0xb8, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x22, 0xd8,   /* cr3 = 10000h */
        0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80,   /* cr0 |= PG */
        0x0f, 0x22, 0xc0,
        0xa1, 0x00, 0x10, 0x00, 0x00,       /* mov eax,[1000h]: mapped */
        0x89, 0xc6,                         /* mov esi,eax */
        0xa1, 0x00, 0x00, 0x40, 0x00,       /* mov eax,[400000h]: #PF */
        0xf4,
    };
    static const uint8_t handler[] = { 0x5b, 0xf4 };    /* pop ebx; hlt */

    prot_mode();
    put(CODE, code, sizeof(code));
    put(HANDLER, handler, sizeof(handler));
    put32(0x1000, 0xcafef00d);
    put32(0x10000, 0x00000083);     /* PDE 0: 4 MiB page, RW, present */
    idt_gate(EXCP_PF, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_ESI], ==, 0xcafef00d);
    g_assert_cmphex(cpu.regs[R_EBX], ==, 0);        /* read, not present */
    g_assert_cmphex(cpu.cr[2], ==, 0x400000);
    /* Accessed; dirty too, from the exception's pushes on the stack
     * inside the same 4 MiB page. */
    g_assert_cmphex(get32(0x10000), ==, 0xe3);
    g_assert_cmphex(cpu.rip, ==, HANDLER + 2);
}

static void test_user_write_fault(void)
{
    /* Ring 0 with CR0.WP writes a read-only page: #PF, error P|W. */
    static const uint8_t code[] = {
        0x0f, 0x20, 0xe0, 0x0c, 0x10, 0x0f, 0x22, 0xe0,
        0xb8, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x22, 0xd8,
        0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x01, 0x80,   /* PG | WP */
        0x0f, 0x22, 0xc0,
        0xa3, 0x00, 0x00, 0x40, 0x00,       /* mov [400000h],eax */
        0xf4,
    };
    static const uint8_t handler[] = { 0x5b, 0xf4 };

    prot_mode();
    put(CODE, code, sizeof(code));
    put(HANDLER, handler, sizeof(handler));
    put32(0x10000, 0x00000083);
    put32(0x10004, 0x00400081);     /* PDE 1: 4 MiB, read-only */
    idt_gate(EXCP_PF, HANDLER, 0x08, 0x8e);
    g_assert_cmpint(run(), ==, X86_EXIT_HALTED);
    g_assert_cmphex(cpu.regs[R_EBX], ==, 3);
    g_assert_cmphex(cpu.cr[2], ==, 0x400000);
}

/* ---- speed (measured, not asserted) ---- */

static void test_speed(void)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x00, 0x00, 0x40, 0x00, /* mov ecx,400000h */
        0x66, 0x49,                         /* l: dec ecx */
        0x75, 0xfc,                         /* jnz l */
        0xf4,
    };
    int64_t t0, t1;
    uint64_t n0;

    real_mode();
    put(CODE, code, sizeof(code));
    n0 = cpu.icount;
    t0 = g_get_monotonic_time();
    while (x86_cpu_exec(&cpu, 1 << 20) == X86_EXIT_BUDGET) {
    }
    t1 = g_get_monotonic_time();
    g_assert_cmphex(cpu.regs[R_ECX], ==, 0);
    printf("# interpreter: %" PRIu64 " instructions in %.3f s: %.1f MIPS\n",
           cpu.icount - n0, (t1 - t0) / 1e6,
           (cpu.icount - n0) / (double)MAX(t1 - t0, 1));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/decode/lengths", test_decode_lengths);
    g_test_add_func("/cpu/decode/table", test_decode_table);
    g_test_add_func("/cpu/flags/lazy", test_lazy_flags);
    g_test_add_func("/cpu/pmode/real-to-prot", test_real_to_prot);
    g_test_add_func("/cpu/pmode/gp-error-code", test_gp_error_code);
    g_test_add_func("/cpu/pmode/ring3-and-back", test_ring3_and_back);
    g_test_add_func("/cpu/pmode/int-gate-dpl", test_int_gate_dpl);
    g_test_add_func("/cpu/pmode/double-fault", test_double_fault);
    g_test_add_func("/cpu/pmode/triple-fault", test_triple_fault);
    g_test_add_func("/cpu/pmode/task-switch", test_task_switch);
    g_test_add_func("/cpu/pmode/io-bitmap", test_io_bitmap);
    g_test_add_func("/cpu/vm86/int-gp", test_vm86_int);
    g_test_add_func("/cpu/paging/not-present", test_paging_fault);
    g_test_add_func("/cpu/paging/wp", test_user_write_fault);
    g_test_add_func("/cpu/speed", test_speed);
    return g_test_run();
}
