/** The Stalwart system: its resource module and its settings parser. */
import * as principal from "./principal";
import { parseStalwartSettings } from "./settings";

export const name = "stalwart";
export const modules = [principal];
export const parseSettings = parseStalwartSettings;
