-- bench/http_report.lua: the done() hook shared by the wrk scripts of bench/http.sh: one
-- machine-readable line with requests/s, median and p99 latency and the count of failed requests.
function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   io.write(string.format("XCBENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d bytes=%d\n",
      summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests, bad, summary.bytes))
end
