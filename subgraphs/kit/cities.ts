// Guangdong's 21 prefecture-level cities (regulation map). Every domain records the city a service happened in.
import { badInput } from '../../core/protocol/errors.js';
import { quote } from './text.js';

export const PROVINCE_CODE = '440000';

export const CITIES = {
  '440100': '广州',
  '440200': '韶关',
  '440300': '深圳',
  '440400': '珠海',
  '440500': '汕头',
  '440600': '佛山',
  '440700': '江门',
  '440800': '湛江',
  '440900': '茂名',
  '441200': '肇庆',
  '441300': '惠州',
  '441400': '梅州',
  '441500': '汕尾',
  '441600': '河源',
  '441700': '阳江',
  '441800': '清远',
  '441900': '东莞',
  '442000': '中山',
  '445100': '潮州',
  '445200': '揭阳',
  '445300': '云浮',
} as const satisfies Record<string, string>;

export type CityCode = keyof typeof CITIES;
export const CITY_CODES = Object.keys(CITIES) as CityCode[];

export function isCityCode(code: string): code is CityCode {
  return Object.hasOwn(CITIES, code);
}

/** A city code from a caller, or BAD_USER_INPUT naming the field. `province` also admits 440000. */
export function readCityCode(value: string, field: string, options: { province?: boolean } = {}): string {
  if (isCityCode(value) || (options.province && value === PROVINCE_CODE)) return value;
  const expected = options.province
    ? `${PROVINCE_CODE} (the province) or one of Guangdong's 21 city codes`
    : "one of Guangdong's 21 city codes";
  throw badInput(`${field} must be ${expected}, got "${quote(value)}"`, field);
}
