// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the OVSDB monitor's cache (ovsdb_monitor.c): any
 * <table-updates2> the server (or an impostor on the socket) could send,
 * alone or as a sequence, must cost at most its own rows, never crash or
 * leak.  The input is one JSON text: an array of updates applied in order
 * to one cache, or a single update.  Seeded from tests/data/fuzz_ovsdb_monitor/
 * (updates recorded from ovsdb-server 3.1.0, see monitor_session.json).
 */
#include <stdint.h>
#include <stdlib.h>

#include "monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovs_monitor m = { .owner = "ovskvm" };
	json_t *doc, *u, *where;
	char *err = NULL;
	size_t i;

	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	if (json_is_array(doc)) {
		json_array_foreach(doc, i, u) {
			mon_apply(&m, u, &err);
			if (i % 2)
				mon_clear_news(&m);
		}
	} else {
		mon_apply(&m, doc, &err);
	}
	where = mon_iface_where(&m);
	json_decref(mon_iface_change("ovskvm-1", where));
	json_decref(where);
	free(err);
	mon_clear(&m);
	json_decref(doc);
	return 0;
}
