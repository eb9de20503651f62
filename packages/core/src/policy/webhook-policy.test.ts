import { describe, expect, it } from "vitest";
import {
  decideWebhookTarget,
  isDelivered,
  isPrivateAddress,
  RETRY_CAP_MS,
  retryDelayMs,
  wantsEvent,
} from "./webhook-policy.js";

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["8.8.8.8", false],
    ["93.184.216.34", false],
    ["::1", true],
    ["::", true],
    ["fe80::1", true],
    ["fd12:3456::1", true],
    ["fc00::1", true],
    ["ff02::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:10.0.0.1", true],
    ["::ffff:8.8.8.8", false],
    ["64:ff9b::127.0.0.1", true],
    ["2002:7f00:1::", true],
    ["2002:808:808::", false],
    ["2606:4700:4700::1111", false],
    ["fe80::1%eth0", true],
    ["not an address", true],
  ])("%s is private: %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe("decideWebhookTarget", () => {
  it.each([
    { addresses: ["8.8.8.8"], allowPrivate: false, refused: false },
    { addresses: ["8.8.8.8", "127.0.0.1"], allowPrivate: false, refused: true },
    { addresses: ["127.0.0.1"], allowPrivate: true, refused: false },
    { addresses: [], allowPrivate: true, refused: true },
    { addresses: [], allowPrivate: false, refused: true },
  ])(
    "$addresses (allowPrivate $allowPrivate): refused $refused",
    ({ addresses, allowPrivate, refused }) => {
      expect(decideWebhookTarget(addresses, allowPrivate) !== null).toBe(refused);
    },
  );
});

describe("isDelivered", () => {
  it.each([
    [200, true],
    [204, true],
    [299, true],
    [301, false],
    [400, false],
    [410, false],
    [500, false],
    [null, false],
  ])("status %s delivered: %s", (status, expected) => {
    expect(isDelivered(status)).toBe(expected);
  });
});

describe("retryDelayMs", () => {
  it.each([
    [1, 0.999, 999],
    [2, 0.5, 1000],
    [4, 0.999, 7992],
    [1, 0, 0],
    [30, 0.999, Math.floor(0.999 * RETRY_CAP_MS)],
  ])("after %s failures with random %s: %s ms", (failures, random, expected) => {
    expect(retryDelayMs(failures, random)).toBe(expected);
  });
});

describe("wantsEvent", () => {
  it.each([
    [null, "authorization.revoked", true],
    ["authorization.granted authorization.revoked", "authorization.revoked", true],
    ["authorization.granted", "authorization.updated", false],
  ])("%s wants %s: %s", (types, type, expected) => {
    expect(wantsEvent(types, type)).toBe(expected);
  });
});
