;; The WebAssembly SIMD (f64x2) kernels behind exercises/lib/matrix.ts (driven by wasm.ts).
;; Rebuild kernels.wasm and wasmBinary.ts after editing: `npm run build:wasm`.
;;
;; Every matrix is row-major f64 at a byte offset into the shared memory; wasm.ts copies operands
;; in and results out. Every sum adds its terms in increasing index order, starting from +0,
;; exactly like the naive loops of js.ts: SIMD lanes always hold DIFFERENT output elements, never
;; two terms of one sum, so results are bit-for-bit those of the JS path. exp and log are ports of
;; fdlibm's e_exp.c / e_log.c as V8 compiles them for Math.exp / Math.log, evaluated on both lanes
;; without branches, so they match Math.exp and Math.log bit for bit too (test/kernels.test.ts).
(module
  ;; Shared, so that the worker thread (threads.ts) runs the same kernels on the same memory.
  (import "env" "memory" (memory 1 65536 shared))

  ;; ------------------------------------------------------------------------------------------
  ;; Products. The row kernels sum 13 columns of C at a time in registers (6 f64x2 and one f64):
  ;; a pass may read up to 12 values past the end of B (wasm.ts pads every block by 128 bytes)
  ;; and stores only its own columns (the last pass goes through 104 bytes at $tmp).

  ;; 1 when every one of the `len` values at $p is finite, else 0. x*0 is 0 for a finite x and
  ;; NaN for ±Infinity or NaN, so the sum of x*0 is 0 exactly when all are finite.
  (func (export "all_finite") (param $p i32) (param $len i32) (result i32)
    (local $end i32) (local $acc v128) (local $s f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (v128.load align=8 (local.get $p)) (v128.const f64x2 0 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $p)) (f64.const 0))))))
    (f64.eq (local.get $s) (local.get $s)))

  ;; The non-zeros of the rows i in [i0, i1) of A (r×c at $a), compressed: row i's entries are
  ;; [rows[2i], rows[2i+1]) (i32 indices into colIdx and vals, written at $rows), colIdx (i32)
  ;; their columns in increasing order and vals (f64) their values; -0 counts as a zero. Row i0's
  ;; entries start at index i0·c (room for a dense block), so that ranges of rows can be listed
  ;; by the two threads at once. Two values are tested at once: runs of zeros (the blank image
  ;; borders) are cheap.
  (func $csr_build (export "csr_build") (param $a i32) (param $c i32)
    (param $rows i32) (param $colIdx i32) (param $vals i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $j i32) (local $p i32) (local $ip i32) (local $vp i32) (local $pairs i32)
    (local $v v128) (local $x f64) (local $keep i32) (local $e i32)
    (local.set $pairs (i32.and (local.get $c) (i32.const -2)))
    (local.set $e (i32.mul (local.get $i0) (local.get $c)))
    (local.set $ip (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2))))
    (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 3))))
    (local.set $p (i32.add (local.get $a) (i32.shl (local.get $e) (i32.const 3))))
    (local.set $i (local.get $i0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $i) (local.get $i1)))
      (i32.store (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))
        (i32.shr_u (i32.sub (local.get $ip) (local.get $colIdx)) (i32.const 2)))
      (local.set $j (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $pairs)))
        (local.set $v (v128.load align=8 (local.get $p)))
        (if (v128.any_true (f64x2.ne (local.get $v) (v128.const f64x2 0 0)))
          (then
            ;; Branch-free per lane: the slot is always written, the pointers advance when kept.
            (local.set $x (f64x2.extract_lane 0 (local.get $v)))
            (i32.store (local.get $ip) (local.get $j))
            (f64.store (local.get $vp) (local.get $x))
            (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
            (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))
            (local.set $x (f64x2.extract_lane 1 (local.get $v)))
            (i32.store (local.get $ip) (i32.add (local.get $j) (i32.const 1)))
            (f64.store (local.get $vp) (local.get $x))
            (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
            (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jl)))
      (if (i32.lt_u (local.get $j) (local.get $c))
        (then
          (local.set $x (f64.load (local.get $p)))
          (i32.store (local.get $ip) (local.get $j))
          (f64.store (local.get $vp) (local.get $x))
          (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
          (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
          (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))))
      (i32.store offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))
        (i32.shr_u (i32.sub (local.get $ip) (local.get $colIdx)) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rl))))

  ;; C(i, :) = A(i, :)·B for the rows i in [i0, i1): A m×k at $a (dense, every term summed; its
  ;; rows $lda values apart), B k×n at $b, C m×n at $c; $tmp: 104 bytes of scratch.
  ;; $accumulate: the sums continue from the values already in C (gemm_dense_rows_blocked).
  (func $gemm_dense_rows
    (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $n i32) (param $lda i32) (param $accumulate i32)
    (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $i i32) (local $nb i32) (local $kb i32) (local $ap i32) (local $aend i32)
    (local $cp i32) (local $j i32) (local $q i32)
    (local $s v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $sacc f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $j (i32.const 0))
        (block $passesDone
          (loop $passes
            (br_if $passesDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $acc0 (v128.const f64x2 0 0))
            (local.set $acc1 (v128.const f64x2 0 0))
            (local.set $acc2 (v128.const f64x2 0 0))
            (local.set $acc3 (v128.const f64x2 0 0))
            (local.set $acc4 (v128.const f64x2 0 0))
            (local.set $acc5 (v128.const f64x2 0 0))
            (local.set $sacc (f64.const 0))
            (if (local.get $accumulate)
              (then
                (local.set $q (i32.add (local.get $cp) (local.get $j)))
                (local.set $acc0 (v128.load align=8 (local.get $q)))
                (local.set $acc1 (v128.load offset=16 align=8 (local.get $q)))
                (local.set $acc2 (v128.load offset=32 align=8 (local.get $q)))
                (local.set $acc3 (v128.load offset=48 align=8 (local.get $q)))
                (local.set $acc4 (v128.load offset=64 align=8 (local.get $q)))
                (local.set $acc5 (v128.load offset=80 align=8 (local.get $q)))
                (local.set $sacc (f64.load offset=96 (local.get $q)))))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (i32.shl (local.get $lda) (i32.const 3)))))
            (local.set $aend (i32.add (local.get $ap) (local.get $kb)))
            (local.set $q (i32.add (local.get $b) (local.get $j)))
            (block $td
              (loop $t
                (br_if $td (i32.ge_u (local.get $ap) (local.get $aend)))
                (local.set $s (v128.load64_splat (local.get $ap)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.load (local.get $ap)) (f64.load offset=96 (local.get $q)))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $q (i32.add (local.get $q) (local.get $nb)))
                (br $t)))
            (call $store13 (local.get $cp) (local.get $j) (local.get $nb) (local.get $tmp)
              (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3) (local.get $acc4) (local.get $acc5) (local.get $sacc))
            (local.set $j (i32.add (local.get $j) (i32.const 104)))
            (br $passes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; gemm_dense_rows over blocks of $kblock rows of B (and columns of A), so that each block of
  ;; B stays in the cache while all rows of A go through it; every sum continues from the
  ;; previous block's, in increasing column order as in the naive loop.
  (func $gemm_dense_rows_blocked (export "gemm_dense_rows")
    (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $n i32) (param $kblock i32)
    (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $p0 i32)
    (loop $blocks
      (call $gemm_dense_rows
        (i32.add (local.get $a) (i32.shl (local.get $p0) (i32.const 3)))
        (i32.add (local.get $b) (i32.mul (local.get $p0) (i32.shl (local.get $n) (i32.const 3))))
        (local.get $c)
        (select (local.get $kblock) (i32.sub (local.get $k) (local.get $p0))
          (i32.lt_u (local.get $kblock) (i32.sub (local.get $k) (local.get $p0))))
        (local.get $n) (local.get $k) (local.get $p0) (local.get $i0) (local.get $i1) (local.get $tmp))
      (local.set $p0 (i32.add (local.get $p0) (local.get $kblock)))
      (br_if $blocks (i32.lt_u (local.get $p0) (local.get $k)))))

  ;; C(i, :) = A(i, :)·B for the rows i in [i0, i1), A given by its non-zeros (csr_build: $rows,
  ;; $colIdx, $vals): the zeros are skipped (the caller checked that B is all finite, so a skipped
  ;; 0·B(p, j) would have added exactly 0). B k×n at $b, C at $c; $tmp: 104 bytes of scratch.
  ;; $bias, when not 0, is the address of one more row of B that comes first with the factor 1:
  ;; the product of [ones(m,1) A] and [Bbias; B], the bias column's term first as in the naive sum.
  ;; $accumulate: the sums continue from the values already in C (gemm_csr_rows_blocked).
  (func $gemm_csr_rows (export "gemm_csr_rows")
    (param $rows i32) (param $colIdx i32) (param $vals i32) (param $b i32) (param $c i32) (param $n i32)
    (param $bias i32) (param $accumulate i32) (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $i i32) (local $nb i32) (local $e0 i32) (local $e1 i32) (local $ip i32) (local $vp i32) (local $iend i32)
    (local $cp i32) (local $j i32) (local $q i32) (local $bj i32)
    (local $s v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $sacc f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $e0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $e1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $iend (i32.add (local.get $colIdx) (i32.shl (local.get $e1) (i32.const 2))))
        (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $j (i32.const 0))
        (block $passesDone
          (loop $passes
            (br_if $passesDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $acc0 (v128.const f64x2 0 0))
            (local.set $acc1 (v128.const f64x2 0 0))
            (local.set $acc2 (v128.const f64x2 0 0))
            (local.set $acc3 (v128.const f64x2 0 0))
            (local.set $acc4 (v128.const f64x2 0 0))
            (local.set $acc5 (v128.const f64x2 0 0))
            (local.set $sacc (f64.const 0))
            (if (local.get $accumulate)
              (then
                (local.set $q (i32.add (local.get $cp) (local.get $j)))
                (local.set $acc0 (v128.load align=8 (local.get $q)))
                (local.set $acc1 (v128.load offset=16 align=8 (local.get $q)))
                (local.set $acc2 (v128.load offset=32 align=8 (local.get $q)))
                (local.set $acc3 (v128.load offset=48 align=8 (local.get $q)))
                (local.set $acc4 (v128.load offset=64 align=8 (local.get $q)))
                (local.set $acc5 (v128.load offset=80 align=8 (local.get $q)))
                (local.set $sacc (f64.load offset=96 (local.get $q)))))
            (if (local.get $bias)
              (then
                ;; 0 + 1·Bbias(j): the first term of every sum.
                (local.set $q (i32.add (local.get $bias) (local.get $j)))
                (local.set $s (v128.const f64x2 1 1))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.const 1) (f64.load offset=96 (local.get $q)))))))
            (local.set $ip (i32.add (local.get $colIdx) (i32.shl (local.get $e0) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $e0) (i32.const 3))))
            (local.set $bj (i32.add (local.get $b) (local.get $j)))
            (block $td
              (loop $t
                (br_if $td (i32.ge_u (local.get $ip) (local.get $iend)))
                (local.set $q (i32.add (local.get $bj) (i32.mul (i32.load (local.get $ip)) (local.get $nb))))
                (local.set $s (v128.load64_splat (local.get $vp)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.load (local.get $vp)) (f64.load offset=96 (local.get $q)))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
                (br $t)))
            (call $store13 (local.get $cp) (local.get $j) (local.get $nb) (local.get $tmp)
              (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3) (local.get $acc4) (local.get $acc5) (local.get $sacc))
            (local.set $j (i32.add (local.get $j) (i32.const 104)))
            (br $passes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; gemm_csr_rows over $nblocks tables of row pairs ($table, r pairs each, one table after
  ;; another): table t lists each row's non-zeros in the t-th range of their columns, so each
  ;; block of B's rows stays in the cache while all rows go through it; every sum continues
  ;; from the previous block's, in increasing column order as in the naive loop.
  (func $gemm_csr_rows_blocked (param $table i32) (param $nblocks i32) (param $r i32) (param $colIdx i32) (param $vals i32)
    (param $b i32) (param $c i32) (param $n i32) (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $t i32)
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $t) (local.get $nblocks)))
      (call $gemm_csr_rows (i32.add (local.get $table) (i32.mul (local.get $t) (i32.shl (local.get $r) (i32.const 3))))
        (local.get $colIdx) (local.get $vals) (local.get $b) (local.get $c) (local.get $n) (i32.const 0) (local.get $t)
        (local.get $i0) (local.get $i1) (local.get $tmp))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $blocks))))

  ;; Stores the 13 sums of a pass at $cp + $j, or only the $nb - $j bytes left of the row.
  (func $store13 (param $cp i32) (param $j i32) (param $nb i32) (param $tmp i32)
    (param $acc0 v128) (param $acc1 v128) (param $acc2 v128) (param $acc3 v128) (param $acc4 v128) (param $acc5 v128) (param $sacc f64)
    (local $q i32) (local $partial i32)
    (local.set $partial (i32.lt_u (i32.sub (local.get $nb) (local.get $j)) (i32.const 104)))
    (local.set $q (select (local.get $tmp) (i32.add (local.get $cp) (local.get $j)) (local.get $partial)))
    (v128.store align=8 (local.get $q) (local.get $acc0))
    (v128.store offset=16 align=8 (local.get $q) (local.get $acc1))
    (v128.store offset=32 align=8 (local.get $q) (local.get $acc2))
    (v128.store offset=48 align=8 (local.get $q) (local.get $acc3))
    (v128.store offset=64 align=8 (local.get $q) (local.get $acc4))
    (v128.store offset=80 align=8 (local.get $q) (local.get $acc5))
    (f64.store offset=96 (local.get $q) (local.get $sacc))
    (if (local.get $partial)
      (then (memory.copy (i32.add (local.get $cp) (local.get $j)) (local.get $tmp) (i32.sub (local.get $nb) (local.get $j))))))

  ;; The non-zeros of A by columns, from its rows (csr_build's $rows, $colIdx, $vals; A r×c):
  ;; column j's entries are [cols[2j], cols[2j+1]) of $rowIdx (i32, their rows, increasing) and
  ;; $colVals (f64). The entries are counted per column, then placed in row order (a stable
  ;; counting sort), so each column keeps the increasing order the sums need.
  (func (export "csc_from_csr") (param $rows i32) (param $colIdx i32) (param $vals i32) (param $r i32) (param $c i32)
    (param $cols i32) (param $rowIdx i32) (param $colVals i32)
    (local $p i32) (local $e i32) (local $eEnd i32) (local $j i32) (local $at i32) (local $slot i32)
    (memory.fill (local.get $cols) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))
    ;; Count: cols[2j+1] += 1 per entry of column j.
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $r)))
      (local.set $e (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $eEnd (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (block $ed (loop $el
        (br_if $ed (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $slot (i32.add (local.get $cols)
          (i32.shl (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 3))))
        (i32.store offset=4 (local.get $slot) (i32.add (i32.load offset=4 (local.get $slot)) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $el)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl)))
    ;; Starts: cols[2j] = entries before column j; cols[2j+1] becomes the next free slot (= start).
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $j) (local.get $c)))
      (local.set $slot (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $e (i32.load offset=4 (local.get $slot)))
      (i32.store (local.get $slot) (local.get $at))
      (i32.store offset=4 (local.get $slot) (local.get $at))
      (local.set $at (i32.add (local.get $at) (local.get $e)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jl)))
    ;; Place: rows in increasing order, so each column's entries come out in increasing row.
    (local.set $p (i32.const 0))
    (block $pd2 (loop $pl2
      (br_if $pd2 (i32.ge_u (local.get $p) (local.get $r)))
      (local.set $e (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $eEnd (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (block $ed2 (loop $el2
        (br_if $ed2 (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $slot (i32.add (local.get $cols)
          (i32.shl (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 3))))
        (local.set $at (i32.load offset=4 (local.get $slot)))
        (i32.store offset=4 (local.get $slot) (i32.add (local.get $at) (i32.const 1)))
        (i32.store (i32.add (local.get $rowIdx) (i32.shl (local.get $at) (i32.const 2))) (local.get $p))
        (f64.store (i32.add (local.get $colVals) (i32.shl (local.get $at) (i32.const 3)))
          (f64.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 3)))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $el2)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl2))))

  ;; ------------------------------------------------------------------------------------------
  ;; Work sharing: a product is cut into chunks (ranges of output rows) that the calling thread
  ;; and the worker (threads.ts) take in turn. The job is described in the control block at
  ;; $ctl (wasm.ts writes it): i32 kernel at +20, parameters p0.. at +32, per-thread scratch at
  ;; +80 (thread 0) and +84 (thread 1), chunk bounds at +128 (chunk c is [bound c, bound c+1)).
  (func (export "run_chunk") (param $ctl i32) (param $chunk i32) (param $thread i32)
    (local $lo i32) (local $hi i32) (local $tmp i32) (local $a i32) (local $out i32)
    (local.set $lo (i32.load offset=128 (i32.add (local.get $ctl) (i32.shl (local.get $chunk) (i32.const 2)))))
    (local.set $hi (i32.load offset=132 (i32.add (local.get $ctl) (i32.shl (local.get $chunk) (i32.const 2)))))
    (local.set $tmp (i32.load offset=80 (i32.add (local.get $ctl) (i32.shl (local.get $thread) (i32.const 2)))))
    (block $blocked (block $elementwise (block $unary (block $list (block $csr (block $dense (block $bad
      (br_table $dense $csr $list $unary $elementwise $blocked $bad (i32.sub (i32.load offset=20 (local.get $ctl)) (i32.const 1))))
      unreachable)
      ;; 1: gemm_dense_rows_blocked(a, b, c, k, n, kblock)
      (call $gemm_dense_rows_blocked (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
        (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
        (i32.load offset=52 (local.get $ctl)) (local.get $lo) (local.get $hi) (local.get $tmp))
      (return))
    ;; 2: gemm_csr_rows(rows, colIdx, vals, b, c, n, bias)
    (call $gemm_csr_rows (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
      (i32.load offset=52 (local.get $ctl)) (i32.load offset=56 (local.get $ctl)) (i32.const 0) (local.get $lo) (local.get $hi) (local.get $tmp))
    (return))
    ;; 3: csr_build(a, c, rows, colIdx, vals)
    (call $csr_build (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
      (local.get $lo) (local.get $hi))
    (return))
    ;; 4: element-wise function (0 exp, 1 sigmoid, 2 log) of the values [lo, hi) of a into c
    (local.set $a (i32.add (i32.load offset=36 (local.get $ctl)) (i32.shl (local.get $lo) (i32.const 3))))
    (local.set $out (i32.add (i32.load offset=40 (local.get $ctl)) (i32.shl (local.get $lo) (i32.const 3))))
    (if (i32.eq (i32.load offset=32 (local.get $ctl)) (i32.const 2))
      (then (call $log_array (local.get $a) (local.get $out) (i32.sub (local.get $hi) (local.get $lo)) (local.get $tmp)))
      (else (call $exp_array (local.get $a) (local.get $out) (i32.sub (local.get $hi) (local.get $lo)) (i32.load offset=32 (local.get $ctl)) (local.get $tmp))))
    (return))
    ;; 5: element-wise operation p0 (see $elementwise_range) of the values [lo, hi) of a (and b,
    ;; or the scalar, an f64 at +72) into c
    (call $elementwise_range (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (f64.load offset=72 (local.get $ctl)) (i32.load offset=44 (local.get $ctl))
      (local.get $lo) (local.get $hi))
    (return))
    ;; 6: gemm_csr_rows_blocked(table, nblocks, r, colIdx, vals, b, c, n)
    (call $gemm_csr_rows_blocked (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
      (i32.load offset=52 (local.get $ctl)) (i32.load offset=56 (local.get $ctl)) (i32.load offset=60 (local.get $ctl))
      (local.get $lo) (local.get $hi) (local.get $tmp)))

  ;; Element-wise operation $op on the values [lo, hi): 0 a.*b, 1 a+b, 2 a-b, 3 a./b, 4 a.*s, 5 a+s,
  ;; 6 a-s, 7 s-a, 8 a./s, 9 s./a, 10 a.*a.
  (func $elementwise_range (param $op i32) (param $a i32) (param $b i32) (param $s f64) (param $c i32) (param $lo i32) (param $hi i32)
    (local $len i32)
    (local.set $len (i32.sub (local.get $hi) (local.get $lo)))
    (local.set $lo (i32.shl (local.get $lo) (i32.const 3)))
    (local.set $a (i32.add (local.get $a) (local.get $lo)))
    (local.set $b (i32.add (local.get $b) (local.get $lo)))
    (local.set $c (i32.add (local.get $c) (local.get $lo)))
    (block $sq (block $rdsm (block $rdms (block $mism (block $mims (block $plms (block $tims
    (block $rdmm (block $mimm (block $plmm (block $timm
      (br_table $timm $plmm $mimm $rdmm $tims $plms $mims $mism $rdms $rdsm $sq (local.get $op)))
      (return (call $times_mm (local.get $a) (local.get $b) (local.get $c) (local.get $len))))
      (return (call $plus_mm (local.get $a) (local.get $b) (local.get $c) (local.get $len))))
      (return (call $minus_mm (local.get $a) (local.get $b) (local.get $c) (local.get $len))))
      (return (call $rdivide_mm (local.get $a) (local.get $b) (local.get $c) (local.get $len))))
      (return (call $times_ms (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
      (return (call $plus_ms (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
      (return (call $minus_ms (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
      (return (call $minus_sm (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
      (return (call $rdivide_ms (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
      (return (call $rdivide_sm (local.get $a) (local.get $s) (local.get $c) (local.get $len))))
    (call $square (local.get $a) (local.get $c) (local.get $len)))

  ;; dst (c×r) = src (r×c)', in 16×16 blocks so both sides stay in cache.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $r i32) (param $c i32)
    (local $i0 i32) (local $j0 i32) (local $i i32) (local $j i32) (local $i1 i32) (local $j1 i32)
    (block $id (loop $il
      (br_if $id (i32.ge_u (local.get $i0) (local.get $r)))
      (local.set $i1 (select (local.get $r) (i32.add (local.get $i0) (i32.const 16))
        (i32.gt_u (i32.add (local.get $i0) (i32.const 16)) (local.get $r))))
      (local.set $j0 (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j0) (local.get $c)))
        (local.set $j1 (select (local.get $c) (i32.add (local.get $j0) (i32.const 16))
          (i32.gt_u (i32.add (local.get $j0) (i32.const 16)) (local.get $c))))
        (local.set $i (local.get $i0))
        (block $bid (loop $bil
          (br_if $bid (i32.ge_u (local.get $i) (local.get $i1)))
          (local.set $j (local.get $j0))
          (block $bjd (loop $bjl
            (br_if $bjd (i32.ge_u (local.get $j) (local.get $j1)))
            (f64.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $r)) (local.get $i)) (i32.const 3)))
              (f64.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $j)) (i32.const 3)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $bjl)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bil)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 16)))
        (br $jl)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 16)))
      (br $il))))

  ;; dst (r×(c+1)) = [ones(r, 1) src] for src r×c.
  (func (export "bias_rows") (param $src i32) (param $dst i32) (param $r i32) (param $c i32)
    (local $i i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 3)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $r)))
      (f64.store (local.get $dst) (f64.const 1))
      (memory.copy (i32.add (local.get $dst) (i32.const 8)) (local.get $src) (local.get $cb))
      (local.set $src (i32.add (local.get $src) (local.get $cb)))
      (local.set $dst (i32.add (local.get $dst) (i32.add (local.get $cb) (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; ------------------------------------------------------------------------------------------
  ;; Element-wise operations on `len` values: $a (and $b) in, $c out ($c may equal $a or $b).
  ;; Pairs with f64x2, then the odd last value with the same lane operations.

  (func $times_mm (export "times_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.mul (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func $plus_mm (export "plus_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.add (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.add (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func $minus_mm (export "minus_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func $rdivide_mm (export "rdivide_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  ;; A op s (matrix, then scalar). times and plus are commutative in IEEE arithmetic, so s .* A
  ;; and s + A use these too.
  (func $times_ms (export "times_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.mul (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (local.get $s))))))

  (func $plus_ms (export "plus_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.add (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.add (f64.load (local.get $a)) (local.get $s))))))

  (func $minus_ms (export "minus_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (f64.load (local.get $a)) (local.get $s))))))

  (func $minus_sm (export "minus_sm") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (local.get $sv) (v128.load align=8 (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (local.get $s) (f64.load (local.get $a)))))))

  (func $rdivide_ms (export "rdivide_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (f64.load (local.get $a)) (local.get $s))))))

  (func $rdivide_sm (export "rdivide_sm") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (local.get $sv) (v128.load align=8 (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (local.get $s) (f64.load (local.get $a)))))))

  ;; A .^ 2 as A .* A (what the JS path computes for the exponent 2).
  (func $square (export "square") (param $a i32) (param $c i32) (param $len i32)
    (local $end i32) (local $x v128)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (local.set $x (v128.load align=8 (local.get $a)))
      (v128.store align=8 (local.get $c) (f64x2.mul (local.get $x) (local.get $x)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $a)))))))

  ;; ------------------------------------------------------------------------------------------
  ;; exp and log, bit for bit Math.exp and Math.log: ports of fdlibm's e_exp.c and e_log.c (as in
  ;; V8's src/base/ieee754.cc) on two lanes, each lane selecting its branch of the C code.
  ;;
  ;; One value is a long chain of dependent operations; done in one loop, the CPU waits on the
  ;; chain (and V8 spills the many live vectors). So each block of up to 256 values goes through
  ;; three short loops whose turns are independent, with the values between them in arrays at
  ;; $s (the calling thread's scratch, 8 KiB). The loops read whole vectors (at most 8 bytes past
  ;; the last value: blocks are padded); the block's values are copied to $c at its end, so $c may
  ;; equal $a.

  ;; The exp (mode 0) or the sigmoid 1/(1+exp(-x)) (mode 1, sigmoid.m's formula) of the `len`
  ;; values at $a into $c. The C code's tests of the high word of |x| are f64 comparisons with the
  ;; same thresholds: k = 0 (|x| <= ln2/2), k = ±1 (|x| < 1.5·ln2) or k = (int)(x/ln2 ± 1/2);
  ;; with k = 0, hi = x and lo = 0, and the k ≠ 0 formula gives exactly the k = 0 one.
  ;; Over/underflow, tiny x and V8's exp(1) = e are selected last.
  ;; Arrays at $s: x (after the sign change, then the result) +0, k +2048, hi (then y) +4096, lo +6144.
  (func $exp_array (param $a i32) (param $c i32) (param $len i32) (param $mode i32) (param $s i32)
    (local $n i32) (local $bytes i32) (local $p i32)
    (local $x v128) (local $ax v128) (local $sign v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $xr v128) (local $t v128) (local $cc v128) (local $y v128) (local $kb v128) (local $r v128)
    (block $done (loop $blocks
      (br_if $done (i32.le_s (local.get $len) (i32.const 0)))
      (local.set $n (select (i32.const 256) (local.get $len) (i32.gt_s (local.get $len) (i32.const 256))))
      (local.set $bytes (i32.shl (i32.and (i32.add (local.get $n) (i32.const 1)) (i32.const -2)) (i32.const 3)))
      ;; 1. Argument reduction: x = k·ln2 + (hi - lo).
      (local.set $p (i32.const 0))
      (loop $reduce
        (local.set $x (v128.load align=8 (i32.add (local.get $a) (local.get $p))))
        (if (local.get $mode) (then (local.set $x (f64x2.neg (local.get $x)))))
        (local.set $ax (f64x2.abs (local.get $x)))
        (local.set $sign (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))
        ;; k = (int)(x/ln2 ± 0.5) (|x| > 0.5·ln2, fdlibm's high-word test: hx > 0x3fd62e42), ±1 below
        ;; 1.5·ln2 (hx < 0x3ff0a2b2), else 0.
        (local.set $k (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $x))
          (v128.or (v128.const f64x2 0.5 0.5) (local.get $sign)))))
        (local.set $k (v128.bitselect (v128.or (v128.const f64x2 1 1) (local.get $sign)) (local.get $k)
          (f64x2.lt (local.get $ax) (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000))))
        (local.set $k (v128.and (local.get $k) (f64x2.ge (local.get $ax) (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000))))
        (v128.store align=8 (i32.add (local.get $s) (local.get $p)) (local.get $x))
        (v128.store offset=2048 align=8 (i32.add (local.get $s) (local.get $p)) (local.get $k))
        (v128.store offset=4096 align=8 (i32.add (local.get $s) (local.get $p))
          (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (v128.store offset=6144 align=8 (i32.add (local.get $s) (local.get $p))
          (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $reduce (i32.lt_u (local.get $p) (local.get $bytes))))
      ;; 2. y = 1 - ((lo - (xr·c)/(2 - c)) - hi), c = xr - t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))), t = xr².
      (local.set $p (i32.const 0))
      (loop $poly
        (local.set $hi (v128.load offset=4096 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $lo (v128.load offset=6144 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $xr (f64x2.sub (local.get $hi) (local.get $lo)))
        (local.set $t (f64x2.mul (local.get $xr) (local.get $xr)))
        (local.set $cc (f64x2.sub (local.get $xr) (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $t)
          (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $t)
            (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
        (v128.store offset=4096 align=8 (i32.add (local.get $s) (local.get $p))
          (f64x2.sub (v128.const f64x2 1 1)
            (f64x2.sub (f64x2.sub (local.get $lo)
              (f64x2.div (f64x2.mul (local.get $xr) (local.get $cc)) (f64x2.sub (v128.const f64x2 2 2) (local.get $cc))))
              (local.get $hi))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $poly (i32.lt_u (local.get $p) (local.get $bytes))))
      ;; 3. y·2^k (2^k from k's bits: k + 1.5·2^52 holds k in its low bits), the special cases,
      ;; the sigmoid's 1/(1 + e); then the store.
      (local.set $p (i32.const 0))
      (loop $scale
        (local.set $x (v128.load align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $k (v128.load offset=2048 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $y (v128.load offset=4096 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $ax (f64x2.abs (local.get $x)))
        (local.set $kb (f64x2.add (local.get $k) (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $r (f64x2.mul (local.get $y) (i64x2.shl (i64x2.add (local.get $kb) (v128.const i64x2 1023 1023)) (i32.const 52))))
        ;; The special cases, only when a lane has one: k outside [-1021, 1023] (over- and underflow
        ;; included), |x| < 2^-28, x = 1, NaN.
        (if (i32.eqz (i64x2.all_true (v128.and
              (v128.and (f64x2.ge (local.get $ax) (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))
                        (f64x2.ne (local.get $x) (v128.const f64x2 1 1)))
              (v128.and (f64x2.ge (local.get $k) (v128.const f64x2 -1021 -1021))
                        (f64x2.le (local.get $k) (v128.const f64x2 1023 1023))))))
          (then
            ;; k < -1021: y·2^(k+1000)·2^-1000; k = 1024: y·2·2^1023.
            (local.set $r (v128.bitselect
              (f64x2.mul (f64x2.mul (local.get $y) (i64x2.shl (i64x2.add (local.get $kb) (v128.const i64x2 2023 2023)) (i32.const 52)))
                (v128.const f64x2 9.33263618503218878990e-302 9.33263618503218878990e-302))
              (local.get $r) (f64x2.lt (local.get $k) (v128.const f64x2 -1021 -1021))))
            (local.set $r (v128.bitselect
              (f64x2.mul (f64x2.mul (local.get $y) (v128.const f64x2 2 2)) (v128.const f64x2 8.988465674311579539e307 8.988465674311579539e307))
              (local.get $r) (f64x2.eq (local.get $k) (v128.const f64x2 1024 1024))))
            ;; |x| < 2^-28 (hx < 0x3e300000): 1 + x. exp(1) = e. Overflow: Infinity; underflow: 0.
            (local.set $r (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $x)) (local.get $r)
              (f64x2.lt (local.get $ax) (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))))
            (local.set $r (v128.bitselect (v128.const f64x2 2.718281828459045 2.718281828459045) (local.get $r)
              (f64x2.eq (local.get $x) (v128.const f64x2 1 1))))
            (local.set $r (v128.bitselect (v128.const f64x2 inf inf) (local.get $r)
              (f64x2.gt (local.get $x) (v128.const f64x2 7.09782712893383973096e+02 7.09782712893383973096e+02))))
            (local.set $r (v128.andnot (local.get $r)
              (f64x2.lt (local.get $x) (v128.const f64x2 -7.45133219101941108420e+02 -7.45133219101941108420e+02))))))
        (if (local.get $mode)
          (then (local.set $r (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $r))))))
        (v128.store align=8 (i32.add (local.get $s) (local.get $p)) (local.get $r))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $scale (i32.lt_u (local.get $p) (local.get $bytes))))
      (memory.copy (local.get $c) (local.get $s) (i32.shl (local.get $n) (i32.const 3)))
      (local.set $a (i32.add (local.get $a) (i32.const 2048)))
      (local.set $c (i32.add (local.get $c) (i32.const 2048)))
      (local.set $len (i32.sub (local.get $len) (i32.const 256)))
      (br $blocks))))

  ;; The log of the `len` values at $a into $c: x = 2^k·(1+f) with √2/2 < 1+f < √2. The C code's
  ;; k = 0 variants are not needed: with dk = 0 the k ≠ 0 formulas give exactly the same values
  ;; (0 - (y - f) is f - y, including +0 when y = f).
  ;; Arrays at $s: f +0, dk = (double)k +2048, hx & 0x000fffff +4096, the result +6144.
  (func $log_array (param $a i32) (param $c i32) (param $len i32) (param $s i32)
    (local $n i32) (local $bytes i32) (local $p i32)
    (local $x v128) (local $sub v128) (local $xs v128) (local $hx v128) (local $k v128) (local $hm v128) (local $i v128)
    (local $f v128) (local $dk v128) (local $dkHi v128) (local $dkLo v128) (local $R v128) (local $rs v128) (local $z v128)
    (local $w v128) (local $hfsq v128) (local $rA v128) (local $r v128) (local $small v128)
    (block $done (loop $blocks
      (br_if $done (i32.le_s (local.get $len) (i32.const 0)))
      (local.set $n (select (i32.const 256) (local.get $len) (i32.gt_s (local.get $len) (i32.const 256))))
      (local.set $bytes (i32.shl (i32.and (i32.add (local.get $n) (i32.const 1)) (i32.const -2)) (i32.const 3)))
      ;; 1. x = 2^k·(1+f). Positive subnormals are scaled by 2^54 (k -= 54). Negative lanes are
      ;; replaced at the end, so the high word hx can be taken without its sign.
      (local.set $p (i32.const 0))
      (loop $split
        (local.set $x (v128.load align=8 (i32.add (local.get $a) (local.get $p))))
        (local.set $sub (v128.and (f64x2.gt (local.get $x) (v128.const f64x2 0 0))
          (f64x2.lt (local.get $x) (v128.const f64x2 2.2250738585072014e-308 2.2250738585072014e-308))))
        (local.set $xs (v128.bitselect (f64x2.mul (local.get $x) (v128.const f64x2 1.80143985094819840000e+16 1.80143985094819840000e+16))
          (local.get $x) (local.get $sub)))
        (local.set $hx (i64x2.shr_u (local.get $xs) (i32.const 32)))
        ;; k += (hx>>20)-1023; hx &= 0x000fffff; i = (hx+0x95f64)&0x100000; x or x/2 in [√2/2, √2).
        (local.set $k (i64x2.add (v128.and (local.get $sub) (v128.const i64x2 -54 -54))
          (i64x2.sub (i64x2.shr_u (local.get $hx) (i32.const 20)) (v128.const i64x2 1023 1023))))
        (local.set $hm (v128.and (local.get $hx) (v128.const i64x2 0x000fffff 0x000fffff)))
        (local.set $i (v128.and (i64x2.add (local.get $hm) (v128.const i64x2 0x95f64 0x95f64)) (v128.const i64x2 0x100000 0x100000)))
        (v128.store align=8 (i32.add (local.get $s) (local.get $p))
          (f64x2.sub
            (v128.or (v128.and (local.get $xs) (v128.const i64x2 0xffffffff 0xffffffff))
              (i64x2.shl (v128.or (local.get $hm) (v128.xor (local.get $i) (v128.const i64x2 0x3ff00000 0x3ff00000))) (i32.const 32)))
            (v128.const f64x2 1 1)))
        ;; dk = (double)k, from the low 32 bits of each lane.
        (local.set $k (i64x2.add (local.get $k) (i64x2.shr_u (local.get $i) (i32.const 20))))
        (v128.store offset=2048 align=8 (i32.add (local.get $s) (local.get $p))
          (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        (v128.store offset=4096 align=8 (i32.add (local.get $s) (local.get $p)) (local.get $hm))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $split (i32.lt_u (local.get $p) (local.get $bytes))))
      ;; 2. log(1+f) + k·ln2, each lane by its branch of the C code.
      (local.set $p (i32.const 0))
      (loop $series
        (local.set $f (v128.load align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $dk (v128.load offset=2048 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $hm (v128.load offset=4096 align=8 (i32.add (local.get $s) (local.get $p))))
        (local.set $dkHi (f64x2.mul (local.get $dk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
        (local.set $dkLo (f64x2.mul (local.get $dk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        ;; Otherwise s = f/(2+f), R = t2+t1 with t1 = w*(Lg2+w*(Lg4+w*Lg6)), t2 = z*(Lg1+w*(Lg3+w*(Lg5+w*Lg7))).
        (local.set $rs (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $rs) (local.get $rs)))
        (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
        (local.set $R (f64x2.add
          (f64x2.mul (local.get $z)
            (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01) (f64x2.mul (local.get $w)
            (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01) (f64x2.mul (local.get $w)
            (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01) (f64x2.mul (local.get $w)
              (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))))))))
          (f64x2.mul (local.get $w)
            (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01) (f64x2.mul (local.get $w)
            (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01) (f64x2.mul (local.get $w)
              (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))))))))
        ;; i = (hx-0x6147a)|(0x6b851-hx) > 0: dk*ln2_hi-((hfsq-(s*(hfsq+R)+dk*ln2_lo))-f) with
        ;; hfsq = 0.5*f*f; else dk*ln2_hi-((s*(f-R)-dk*ln2_lo)-f).
        (local.set $hfsq (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $f)) (local.get $f)))
        (local.set $r (v128.bitselect
          (f64x2.sub (local.get $dkHi) (f64x2.sub (f64x2.sub (local.get $hfsq)
            (f64x2.add (f64x2.mul (local.get $rs) (f64x2.add (local.get $hfsq) (local.get $R))) (local.get $dkLo)))
            (local.get $f)))
          (f64x2.sub (local.get $dkHi) (f64x2.sub (f64x2.sub
            (f64x2.mul (local.get $rs) (f64x2.sub (local.get $f) (local.get $R))) (local.get $dkLo)) (local.get $f)))
          (i64x2.gt_s
            (v128.or (i64x2.sub (local.get $hm) (v128.const i64x2 0x6147a 0x6147a))
                     (i64x2.sub (v128.const i64x2 0x6b851 0x6b851) (local.get $hm)))
            (v128.const i64x2 0 0))))
        ;; |f| < 2^-20 (hx + 2 & 0xfffff < 3), only when a lane has it: f == 0: dk*ln2_hi+dk*ln2_lo;
        ;; else R = f*f*(0.5-0.33333333333333333*f), dk*ln2_hi-((R-dk*ln2_lo)-f).
        (local.set $small (i64x2.lt_s
          (v128.and (i64x2.add (local.get $hm) (v128.const i64x2 2 2)) (v128.const i64x2 0x000fffff 0x000fffff))
          (v128.const i64x2 3 3)))
        (if (v128.any_true (local.get $small))
          (then
            (local.set $R (f64x2.mul (f64x2.mul (local.get $f) (local.get $f))
              (f64x2.sub (v128.const f64x2 0.5 0.5) (f64x2.mul (v128.const f64x2 0.33333333333333333 0.33333333333333333) (local.get $f)))))
            (local.set $rA (v128.bitselect
              (f64x2.add (local.get $dkHi) (local.get $dkLo))
              (f64x2.sub (local.get $dkHi) (f64x2.sub (f64x2.sub (local.get $R) (local.get $dkLo)) (local.get $f)))
              (f64x2.eq (local.get $f) (v128.const f64x2 0 0))))
            (local.set $r (v128.bitselect (local.get $rA) (local.get $r) (local.get $small)))))
        (v128.store offset=6144 align=8 (i32.add (local.get $s) (local.get $p)) (local.get $r))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $series (i32.lt_u (local.get $p) (local.get $bytes))))
      ;; 3. The special cases, then the store.
      (local.set $p (i32.const 0))
      (loop $special
        (local.set $x (v128.load align=8 (i32.add (local.get $a) (local.get $p))))
        (local.set $r (v128.load offset=6144 align=8 (i32.add (local.get $s) (local.get $p))))
        ;; Only when a lane has one: +Infinity and NaN: x + x. Negative: NaN. ±0: -Infinity.
        (if (i32.eqz (i64x2.all_true (v128.and (f64x2.gt (local.get $x) (v128.const f64x2 0 0))
                                                (f64x2.lt (local.get $x) (v128.const f64x2 inf inf)))))
          (then
            (local.set $r (v128.bitselect (f64x2.add (local.get $x) (local.get $x)) (local.get $r)
              (v128.not (f64x2.lt (local.get $x) (v128.const f64x2 inf inf)))))
            (local.set $r (v128.bitselect (v128.const f64x2 nan nan) (local.get $r) (f64x2.lt (local.get $x) (v128.const f64x2 0 0))))
            (local.set $r (v128.bitselect (v128.const f64x2 -inf -inf) (local.get $r) (f64x2.eq (local.get $x) (v128.const f64x2 0 0))))))
        (v128.store offset=6144 align=8 (i32.add (local.get $s) (local.get $p)) (local.get $r))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $special (i32.lt_u (local.get $p) (local.get $bytes))))
      (memory.copy (local.get $c) (i32.add (local.get $s) (i32.const 6144)) (i32.shl (local.get $n) (i32.const 3)))
      (local.set $a (i32.add (local.get $a) (i32.const 2048)))
      (local.set $c (i32.add (local.get $c) (i32.const 2048)))
      (local.set $len (i32.sub (local.get $len) (i32.const 256)))
      (br $blocks))))

  ;; ------------------------------------------------------------------------------------------
  ;; Reductions

  ;; out(j) = Σ_i A(i, j) in increasing i from +0, for A r×c at $a; out at $out (c values).
  (func (export "colsum") (param $a i32) (param $out i32) (param $r i32) (param $c i32)
    (local $cb i32) (local $i i32) (local $j i32) (local $row i32) (local $pairs i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 3)))
    (local.set $pairs (i32.and (local.get $cb) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $cb))
    (local.set $row (local.get $a))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $i) (local.get $r)))
      (local.set $j (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $out) (local.get $j))
          (f64x2.add (v128.load align=8 (i32.add (local.get $out) (local.get $j)))
                     (v128.load align=8 (i32.add (local.get $row) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jl)))
      (if (i32.lt_u (local.get $j) (local.get $cb))
        (then (f64.store (i32.add (local.get $out) (local.get $j))
          (f64.add (f64.load (i32.add (local.get $out) (local.get $j)))
                   (f64.load (i32.add (local.get $row) (local.get $j)))))))
      (local.set $row (i32.add (local.get $row) (local.get $cb)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rl))))

)
