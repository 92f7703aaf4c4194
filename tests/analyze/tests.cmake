# lucidtcp analyze (tools/analyze): on lucidtcp's own captures, whose true states its trace
# gives (the inferred timelines must equal them); on captures of the kernel's TCP made in
# network namespaces with each fault provoked (root, tshark's dumpcap).
add_test(NAME analyze_demo COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_analyze_demo.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(analyze_demo PROPERTIES TIMEOUT 300)
add_test(NAME analyze_kernel COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_analyze_kernel.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(analyze_kernel PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
# make soak: memory bounded by the live connections on a capture of 2 million packets.
add_test(NAME analyze_memory COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_analyze_memory.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(analyze_memory PROPERTIES TIMEOUT 1200 LABELS soak)
# Hand-made connections (craft.py) for the findings kernel peers cannot provoke on demand.
add_test(NAME analyze_findings COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_analyze_findings.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(analyze_findings PROPERTIES TIMEOUT 120)
# lucidtcp's own captures over TUN against the kernel (connect and serve --pcap): the inferred
# states of lucidtcp's end equal its --trace, event for event (the interop suite's namespace).
add_test(NAME analyze_rt COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_analyze_rt.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(analyze_rt PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS interop)
