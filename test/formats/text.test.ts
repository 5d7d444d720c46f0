import { describe, expect, it } from "vitest";
import { decodeTextFile, firstInvalidUtf8, textDecoder, TEXT_ENCODINGS } from "../../src/formats/text.js";
import { formatErrorOf } from "./errors.js";

const b = (...xs: number[]) => Uint8Array.from(xs);

describe("firstInvalidUtf8", () => {
  it("is the length for valid UTF-8 of every sequence length", () => {
    expect(firstInvalidUtf8(b())).toBe(0);
    expect(firstInvalidUtf8(b(0x41, 0x7f))).toBe(2);
    expect(firstInvalidUtf8(b(0xc2, 0x80, 0xdf, 0xbf))).toBe(4); // 2-byte, lowest and highest lead
    expect(firstInvalidUtf8(b(0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf))).toBe(6); // 3-byte
    expect(firstInvalidUtf8(b(0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf))).toBe(8); // 4-byte
    expect(firstInvalidUtf8(Buffer.from("Sé€𝄞"))).toBe(Buffer.byteLength("Sé€𝄞"));
  });

  it("points at the lead byte of a bad or cut sequence", () => {
    expect(firstInvalidUtf8(b(0x41, 0x80))).toBe(1); // lone continuation byte
    expect(firstInvalidUtf8(b(0x41, 0xc1, 0x81))).toBe(1); // 0xc1 is never a lead
    expect(firstInvalidUtf8(b(0x41, 0xc0, 0x80))).toBe(1);
    expect(firstInvalidUtf8(b(0x41, 0xf5, 0x80, 0x80, 0x80))).toBe(1); // above U+10FFFF
    expect(firstInvalidUtf8(b(0x41, 0xff))).toBe(1);
    expect(firstInvalidUtf8(b(0x41, 0x42, 0xc3))).toBe(2); // cut at the end
    expect(firstInvalidUtf8(b(0x41, 0xe2, 0x82))).toBe(1); // 3-byte cut after 2
    expect(firstInvalidUtf8(b(0xe2, 0x82, 0x41))).toBe(0); // third byte not a continuation
    expect(firstInvalidUtf8(b(0xf0, 0x90, 0x80, 0x41))).toBe(0); // fourth byte not a continuation
    expect(firstInvalidUtf8(b(0xf0, 0x90, 0x80))).toBe(0);
    expect(firstInvalidUtf8(b(0xc3, 0x41))).toBe(0);
    expect(firstInvalidUtf8(b(0xc3, 0xc3, 0xa9))).toBe(0); // a lead where a continuation belongs
    expect(firstInvalidUtf8(b(0xc3, 0xa9, 0xe9))).toBe(2); // "é" then a Latin-1 "é"
    expect(firstInvalidUtf8(b(0xc1, 0x81, 0x81, 0x81))).toBe(0); // not a lead of any length
    expect(firstInvalidUtf8(b(0x80, 0x80, 0x80, 0x80))).toBe(0);
  });
});

describe("textDecoder", () => {
  it("decodes UTF-8 strictly and names line, column, byte and position when it fails", () => {
    const d = textDecoder("lab.csv");
    expect(d(Buffer.from("Sé"), 3)).toBe("Sé");
    const e = formatErrorOf(() => d(b(0x53, 0x41, 0xe9, 0x0a), 4, '2 "id"'));
    expect(e.line).toBe(4);
    expect(e.column).toBe('2 "id"');
    expect(e.message).toBe(
      'lab.csv (line 4, column 2 "id"): not valid UTF-8 (byte e9 0a at character 3 of the field); save the file as UTF-8, or set encoding: latin1 if it is Latin-1/Windows-1252',
    );
    const last = formatErrorOf(() => d(b(0x53, 0x05, 0xe8), 9));
    expect(last.column).toBeUndefined();
    expect(last.line).toBe(9);
    expect(last.message).toMatch(/^lab\.csv \(line 9\): not valid UTF-8 \(byte e8 at character 3 of the field\)/);
  });

  it("reads latin1 when asked (every byte is a character)", () => {
    const d = textDecoder("lab.csv", "latin1");
    expect(d(b(0x53, 0xe9, 0x53, 0xe8), 1)).toBe("SéSè");
    expect(TEXT_ENCODINGS).toEqual(["utf-8", "latin1"]);
  });
});

describe("decodeTextFile", () => {
  it("drops a UTF-8 BOM, keeps line ends, and names the line of a bad byte", () => {
    const text = "id,c\r\na,1\nb,2";
    expect(decodeTextFile("t.csv", Buffer.concat([b(0xef, 0xbb, 0xbf), Buffer.from(text)]))).toBe(text);
    expect(decodeTextFile("t.csv", Buffer.from(text))).toBe(text);
    expect(decodeTextFile("t.csv", Buffer.from("a\n\n"))).toBe("a\n\n");
    expect(decodeTextFile("t.csv", b())).toBe("");
    expect(decodeTextFile("t.csv", Buffer.from("\nabc"))).toBe("\nabc");
    expect(formatErrorOf(() => decodeTextFile("t.csv", b(0x0a, 0xe9))).line).toBe(2);
    const e = formatErrorOf(() =>
      decodeTextFile("t.csv", Buffer.concat([Buffer.from("id,c\na,1\n"), b(0x53, 0xe9, 0x0a), Buffer.from("z,3\n")])),
    );
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^t\.csv \(line 3\): not valid UTF-8 \(byte e9 0a at character 2 of the field\)/);
    const lastLine = formatErrorOf(() => decodeTextFile("t.csv", Buffer.concat([Buffer.from("id\n\n"), b(0x53, 0xe9)])));
    expect(lastLine.line).toBe(3);
  });

  it("a half BOM is not dropped (and is invalid UTF-8 on line 1)", () => {
    expect(formatErrorOf(() => decodeTextFile("t.csv", b(0xef, 0xbb, 0x41))).line).toBe(1);
    expect(formatErrorOf(() => decodeTextFile("t.csv", b(0xef, 0x41, 0xbf))).line).toBe(1);
    expect(decodeTextFile("t.csv", b(0xef, 0xbb, 0x41), "latin1")).toBe("ï»A");
    expect(decodeTextFile("t.csv", b(0x41, 0xbb, 0xbf, 0x42), "latin1")).toBe("A»¿B");
    expect(decodeTextFile("t.csv", b(0xef, 0x41, 0xbf, 0x42), "latin1")).toBe("ïA¿B");
  });

  it("latin1: the whole file, BOM dropped", () => {
    expect(decodeTextFile("t.csv", b(0x53, 0xe9, 0x0a, 0x53, 0xe8), "latin1")).toBe("Sé\nSè");
    expect(decodeTextFile("t.csv", b(0xef, 0xbb, 0xbf, 0x53, 0xe9), "latin1")).toBe("Sé");
  });
});
