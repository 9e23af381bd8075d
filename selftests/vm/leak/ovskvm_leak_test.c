// SPDX-License-Identifier: GPL-2.0
/*
 * A module that leaks on purpose, for the test VM's own tests
 * (selftests/vm/selftest.sh): it allocates objects at load and forgets
 * them, so that kmemleak has something of ours to report and the harness
 * can show it fails the run.  Never load it anywhere else.
 *
 * A leaked object is reported only when no scanned memory holds its
 * address.  Small kmalloc objects are handed out from per-CPU sheaves,
 * arrays of object pointers that keep the address of an object they gave
 * away (on 7.2, of sixteen 128-byte objects lost at load none was
 * reported while the module stayed loaded, two once it was unloaded);
 * objects above KMALLOC_MAX_CACHE_SIZE come from the page allocator
 * directly.  Dead stack slots keep addresses too: the stack below is zeroed
 * once the objects are lost.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define LEAK_OBJECTS 4
#define LEAK_SIZE (4 * PAGE_SIZE)

static noinline void leak_one(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	/* The address goes nowhere kmemleak scans: the object is lost. */
	pr_info("allocated and lost %zu bytes%s\n", size, p ? "" : " (failed)");
}

static noinline void scrub_stack(void)
{
	char buf[1024];

	memzero_explicit(buf, sizeof(buf));
}

static int __init leak_test_init(void)
{
	int i;

	for (i = 0; i < LEAK_OBJECTS; i++)
		leak_one(LEAK_SIZE);
	scrub_stack();
	return 0;
}

static void __exit leak_test_exit(void)
{
}

module_init(leak_test_init);
module_exit(leak_test_exit);
MODULE_DESCRIPTION("Leaks memory on purpose, for the test VM's kmemleak check");
MODULE_LICENSE("GPL");
