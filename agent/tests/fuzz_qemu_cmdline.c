// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for what the agent reads from /proc/PID: the QEMU
 * command-line parser, its option-string reader and the identity check of
 * the creator.  Any process may put any bytes in its command line (it is
 * what it claims about itself), so none of them may crash or hang these.
 *
 * Input: the tap name up to the first NUL (at most 15 bytes), then the
 * command line as /proc/PID/cmdline holds it.  The same bytes are also given
 * as a stat and a status file and as an option string.  Seeds are in
 * tests/data/fuzz_qemu_cmdline/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *nul = memchr(d, '\0', size);
	char ifname[16] = "vnet0", why[160], v[64], *text;
	struct qemu_creator c = { .pid = 1, .uid = 0, .comm = "qemu-system-x86",
				  .start_ticks = 4242 };
	struct qemu_proc pr;
	struct qemu_info info;
	size_t off = 0;

	if (nul && (size_t)(nul - d) < sizeof(ifname)) {
		memcpy(ifname, d, nul - d);
		ifname[nul - d] = '\0';
		off = nul - d + 1;
	}
	qemu_cmdline_parse(d + off, size - off, ifname, &info);
	/* a tap handed over as a descriptor, as libvirt does: fd=29 */
	qemu_cmdline_parse_fd(d + off, size - off, 29, &info);

	/* the NUL-terminated files qemu_identify() takes */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, d, size);
	text[size] = '\0';
	pr = (struct qemu_proc){
		.stat = text, .status = text, .comm = "qemu-system-x86\n",
		.cmdline = d + off, .cmdline_len = size - off,
	};
	qemu_identify(&c, &pr, ifname, &info, why, sizeof(why));
	pr.stat = "1 (qemu-system-x86) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 1\n";
	pr.status = "Name:\tqemu-system-x86\nUid:\t0\t0\t0\t0\n";
	qemu_identify(&c, &pr, ifname, &info, why, sizeof(why));
	qemu_opt_get(text, "mac", "type", v, sizeof(v));
	free(text);
	return 0;
}
