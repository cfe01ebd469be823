/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boot.S - entry of the vGPU guest payload (multiboot v1, 32-bit, no paging)
 *
 * QEMU's -kernel loader (multiboot option ROM) enters _start in protected
 * mode with EAX = multiboot magic and EBX = the multiboot information.  We
 * load our own GDT (the loader's may be gone), zero .bss, switch to our
 * stack and call guest_main(magic, mbi).  Interrupt entry stubs live here
 * too: exceptions go to guest_exception(vector), the MSI vector to
 * guest_msi(), anything else to guest_stray(vector).
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-align modules, memory info */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl	%eax, %esi
	movl	%ebx, %edi
	lgdt	gdt_desc
	ljmp	$0x08, $1f
1:	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$stack_top, %esp
	/* zero .bss (the stack is in it: we have not pushed anything yet) */
	movl	$__bss_start, %edx
	movl	$__bss_end, %ecx
2:	cmpl	%ecx, %edx
	jae	3f
	movb	$0, (%edx)
	incl	%edx
	jmp	2b
3:	pushl	%edi
	pushl	%esi
	call	guest_main
4:	cli
	hlt
	jmp	4b

/* Exception stubs: push the vector, call guest_exception (never returns). */
.macro EXC vec
	.globl exc_\vec
exc_\vec:
	pushl	$\vec
	call	guest_exception
	cli
	hlt
.endm
	EXC 0
	EXC 1
	EXC 2
	EXC 3
	EXC 4
	EXC 5
	EXC 6
	EXC 7
	EXC 8
	EXC 9
	EXC 10
	EXC 11
	EXC 12
	EXC 13
	EXC 14
	EXC 15
	EXC 16
	EXC 17
	EXC 18
	EXC 19

	.globl msi_entry
msi_entry:
	pushal
	call	guest_msi
	popal
	iret

	.globl timer_entry
timer_entry:
	pushal
	call	guest_timer
	popal
	iret

	/* an unexpected vector: count it, send EOI from C, return */
	.globl stray_entry
stray_entry:
	pushal
	call	guest_stray
	popal
	iret

	.globl spurious_entry
spurious_entry:
	iret

	.section .rodata
	.align 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: code, flat 4 GiB */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat 4 GiB */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.align 16
	.space	65536
stack_top:
	.section .note.GNU-stack, "", @progbits
