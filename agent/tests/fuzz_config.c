// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the config parser and the placeholder expansion.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct config cfg;
	unsigned int i, j;

	if (!null)
		null = fopen("/dev/null", "w");
	config_init(&cfg);
	if (config_parse(&cfg, "fuzz.conf", (const char *)data, size, null) == 0) {
		struct config_expand_ctx ctx = {
			.vm_name = "vm", .vm_uuid = "u", .guest_mac = NULL,
			.ifname = "vnet0",
		};
		char out[64];

		for (i = 0; i < cfg.n_rules; i++)
			for (j = 0; j < cfg.rules[i].n_extids; j++)
				config_expand(cfg.rules[i].extids[j].value, &ctx,
					      out, sizeof(out), NULL);
	}
	config_free(&cfg);
	return 0;
}
