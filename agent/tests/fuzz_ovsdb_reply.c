// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the OVSDB reply parsers: any JSON the server (or an
 * impostor on the socket) could send must be rejected cleanly, never crash
 * or leak.  Build:
 *   clang -g -fsanitize=fuzzer,address,undefined -Iagent agent/ovsdb_txn.c agent/ovsdb_reply.c agent/utf8.c \
 *         agent/tests/fuzz_ovsdb_reply.c -ljansson -o fuzz_ovsdb_reply
 * and seed it with tests/data/ (the "result" members are real replies).
 */
#include <stdint.h>
#include <stdlib.h>

#include "ovsdb_txn.h"

static json_t *attach_params(void)
{
	static const uint16_t trunks[] = { 1, 2 };
	static const char ifaces[1][OVSDB_UUID_LEN + 1] = {
		"f167bc24-034b-47e5-abb1-40bb4706c7e1"
	};
	json_t *ext = json_pack("[s[[ss]]]", "map", "iface-id", "theirs");
	struct ovsdb_port_spec ps[] = {
		{ .name = "vnet0", .ifindex = 1, .bridge = "br0", .vlan_tag = 3 },
		{ .name = "vnet1", .ifindex = 2, .bridge = "br1",
		  .trunks = trunks, .n_trunks = 2,
		  .replace_uuid = "0b7c3a9e-1111-2222-3333-444455556666",
		  .replace_ifindex = 9, .replace_ifaces = ifaces,
		  .n_replace_ifaces = 1, .replace_iface_ext = ext },
	};
	json_t *params = ovsdb_txn_attach(ps, 2, "ovskvm");

	json_decref(ext);
	return params;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *params;
	struct ovsdb_owned_port *owned;
	struct ovsdb_port_row *rows;
	json_t *doc, *result;
	char *err = NULL;
	size_t n;

	if (!params)
		params = attach_params();
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (!doc)
		return 0;
	/* a recorded data file, or a bare result */
	result = json_object_get(doc, "result") ?: doc;

	ovsdb_parse_txn_result(result, params, &err);
	ovsdb_parse_txn_result(result, json_object_get(doc, "params"), &err);
	if (!ovsdb_parse_owned_ports(result, &owned, &n, &err))
		ovsdb_owned_ports_free(owned, n);
	/* two selects per name: a Port's and an Interface's */
	n = json_array_size(result) / 2;
	if (!ovsdb_parse_port_rows(result, n, &rows, &err))
		ovsdb_port_rows_free(rows, n);
	free(err);
	json_decref(doc);
	return 0;
}
