# The interop suite: lucidtcp against the Linux kernel's TCP through a TUN device, each scenario
# in a network namespace of its own (198.18.0.0/15 inside it only). Needs root and /dev/net/tun;
# without them every scenario is skipped (exit 77) with a message that says which is missing.
set(LTCP_INTEROP_SCENARIOS
    resets          # 6: ECONNREFUSED both ways; an abort gives the peer ECONNRESET
    half_close      # 3: each side shuts down first and keeps reading
    echo            # 2: 16 MiB echoed both ways at once
    http            # 1: curl and lucidtcp get, 64 MiB each
    time_wait       # 7: TIME-WAIT lasts 2*MSL here; ss shows the kernel's
    simultaneous_close # 5: FIN-WAIT-1 -> CLOSING -> TIME-WAIT
    simultaneous_open  # 4: both SYNs cross; one connection
    impair          # 8: scenarios 1 and 2 over an impaired link
    rfc7323         # issue 5: window scaling and timestamps negotiated with the kernel, lossy link
    sack            # issue 5: SACK negotiated with the kernel, blocks both ways over a lossy link
    offload         # issue 6: --offload (virtio_net_hdr, TSO and GRO over TUN), both ways, sha256
    cli             # the commands' errors: bad flags, missing device file, busy device, ...
    connect         # issue 17: connect as nc: connected/why, -w, -q, no TIME-WAIT in the foreground, hosts file
    serve_http      # issue 17: serve http:DIR: Range and curl -C -, absolute-form, symlinks, listing, log escaping
    serve_slowloris # issue 14: 600 slow clients vs curl: --max-per-client, --header-timeout, --idle-timeout, bare LF
    get             # issue 17: get: no file on failure, -L, hosts file, -C -
    routes          # issue 16: get, connect and serve through the kernel as a router: --gateway, --route
    pmtu            # issue 16: path MTU discovery over a 1000-byte link in the middle (RFC 1191)
    pmtu6           # issue 16: IPv6 path MTU discovery over a 1280-byte link in the middle (RFC 8201)
    ss              # issue 15: serve/connect --control and lucidtcp ss (ESTABLISHED, state close-wait)
    serve_bulk      # issue 18: 256 MiB from serve, no drop, no retransmission (backpressure)
    serve_zerocopy  # issue 18: serve http:DIR lends mapped files (ltcp_send_zc): sha256, releases, a reset, a file that shrinks
    threads         # issue 18: serve --threads 2 on a multi-queue TUN device, 48 clients, sha256; zero-copy http on shards
    ipv6            # issue 16: curl -6 and -4 to serve, get and connect to the kernel over IPv6
)
foreach(s ${LTCP_INTEROP_SCENARIOS})
  set(script ${CMAKE_CURRENT_LIST_DIR}/test_${s}.sh)
  if(EXISTS ${script})
    add_test(NAME interop_${s} COMMAND bash ${script} $<TARGET_FILE:lucidtcp_cmd>)
    # Scenario 9 (tshark on every capture) runs inside each scenario.
    set_tests_properties(interop_${s} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                         LABELS interop)
    if(s STREQUAL "impair")
      set_tests_properties(interop_${s} PROPERTIES TIMEOUT 430)
    endif()
  endif()
endforeach()
