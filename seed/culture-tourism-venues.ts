// The demo venue register: real, well-known venues of each of the 21 cities, of all four kinds, so demo
// admissions read like the real thing. Codes are `<city>-<kind>-<nn>`.
import type { CityCode } from '../subgraphs/kit/cities.js';
import type { VenueKind } from '../subgraphs/culture-tourism/tables.js';

const KIND_CODE: Record<VenueKind, string> = {
  LIBRARY: 'LIB',
  MUSEUM: 'MUS',
  SCENIC_SPOT: 'SCN',
  SPORTS_FACILITY: 'SPT',
};

const VENUES: [city: CityCode, kind: VenueKind, name: string][] = [
  ['440100', 'LIBRARY', '广州图书馆'],
  ['440100', 'MUSEUM', '广东省博物馆'],
  ['440100', 'SCENIC_SPOT', '白云山风景名胜区'],
  ['440100', 'SPORTS_FACILITY', '天河体育中心'],
  ['440200', 'LIBRARY', '韶关市图书馆'],
  ['440200', 'SCENIC_SPOT', '丹霞山风景名胜区'],
  ['440300', 'LIBRARY', '深圳图书馆'],
  ['440300', 'MUSEUM', '深圳博物馆'],
  ['440300', 'SPORTS_FACILITY', '深圳湾体育中心'],
  ['440400', 'LIBRARY', '珠海市图书馆'],
  ['440400', 'MUSEUM', '珠海博物馆'],
  ['440500', 'LIBRARY', '汕头市图书馆'],
  ['440500', 'MUSEUM', '汕头开埠文化陈列馆'],
  ['440600', 'LIBRARY', '佛山市图书馆'],
  ['440600', 'MUSEUM', '佛山市祖庙博物馆'],
  ['440600', 'SPORTS_FACILITY', '佛山世纪莲体育中心'],
  ['440700', 'LIBRARY', '江门市五邑图书馆'],
  ['440700', 'SCENIC_SPOT', '开平碉楼与村落'],
  ['440800', 'LIBRARY', '湛江市图书馆'],
  ['440800', 'SCENIC_SPOT', '湖光岩风景区'],
  ['440900', 'LIBRARY', '茂名市图书馆'],
  ['441200', 'LIBRARY', '肇庆市图书馆'],
  ['441200', 'SCENIC_SPOT', '星湖风景名胜区'],
  ['441300', 'LIBRARY', '惠州慈云图书馆'],
  ['441300', 'SCENIC_SPOT', '惠州西湖风景名胜区'],
  ['441400', 'LIBRARY', '梅州市剑英图书馆'],
  ['441400', 'MUSEUM', '中国客家博物馆'],
  ['441500', 'LIBRARY', '汕尾市图书馆'],
  ['441600', 'LIBRARY', '河源市图书馆'],
  ['441600', 'SCENIC_SPOT', '万绿湖风景区'],
  ['441700', 'LIBRARY', '阳江市图书馆'],
  ['441700', 'SCENIC_SPOT', '海陵岛大角湾'],
  ['441800', 'LIBRARY', '清远市图书馆'],
  ['441900', 'LIBRARY', '东莞图书馆'],
  ['441900', 'MUSEUM', '鸦片战争博物馆'],
  ['441900', 'SPORTS_FACILITY', '东莞篮球中心'],
  ['442000', 'LIBRARY', '中山纪念图书馆'],
  ['442000', 'MUSEUM', '孙中山故居纪念馆'],
  ['445100', 'LIBRARY', '潮州市图书馆'],
  ['445100', 'SCENIC_SPOT', '广济桥'],
  ['445200', 'LIBRARY', '揭阳市图书馆'],
  ['445300', 'LIBRARY', '云浮市图书馆'],
];

export interface DemoVenue {
  code: string;
  name: string;
  kind: VenueKind;
  city: CityCode;
}

export const DEMO_VENUES: DemoVenue[] = VENUES.map(([city, kind, name], i) => {
  const n = VENUES.slice(0, i).filter(([c, k]) => c === city && k === kind).length + 1;
  return { code: `${city}-${KIND_CODE[kind]}-${String(n).padStart(2, '0')}`, name, kind, city };
});
