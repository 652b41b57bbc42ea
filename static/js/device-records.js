// "On this device" on the QUIS and visits pages: the device's record list lives in capture.js,
// with the other steps every kind of record shares.

import { showDeviceRecords } from "./capture.js";

showDeviceRecords(document.getElementById("device-records"));
