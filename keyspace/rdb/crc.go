package rdb

import "hash/crc64"

// crcPoly is the Jones polynomial (0xad93d23594c935a9) in the bit-reversed
// form hash/crc64 expects; Redis's crc64 is the reflected CRC with this
// polynomial, initial value 0 and no final xor.
const crcPoly = 0x95ac9329ac4bc9b5

var crcTable = crc64.MakeTable(crcPoly)

// CRC64 continues Redis's crc64 from crc over p. Start from 0.
// hash/crc64 complements the register before and after each update, so
// complementing around the call yields the plain (init 0, no xor) variant.
func CRC64(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, crcTable, p)
}
